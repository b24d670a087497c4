"""The REST API, version 1. Every endpoint reads through the record scoping of the UI (the
models' ``visible_to`` querysets and the customers policy) and writes through the services,
which apply the role matrix and the business rules; a refusal is a 400/403 with the service's
sentence, somebody else's id a 404."""

from django.db import transaction
from django.http import FileResponse
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from customers import services as customer_services
from customers.models import Contract, Customer, Payment
from customers.policy import reviewable_q
from documents.content import EXTENSIONS as ALLOWED_TYPES
from documents.models import Document
from documents.services import document_delete, document_upload
from leads import services as lead_services
from leads.models import Activity, Lead
from performance.models import CommissionStatement, ScoreCard
from salescrm.models import Notification
from salescrm.services import notifications_mark_read
from salescrm.timeutil import local_today
from targets import progress as progress_module
from targets.models import Target, TargetPlan

from . import filters
from . import serializers as s

ID_PATTERN = r"[0-9]{1,18}"


class ApiEntry:
    """API views authenticate themselves (token or session, in DRF): the site's login-required
    middleware, which would redirect a token request to the login page, lets them through."""

    @classmethod
    def as_view(cls, *args, **kwargs):
        view = super().as_view(*args, **kwargs)
        view.login_required = False
        return view


class Cursor(CursorPagination):
    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    ordering = ("-id",)


class ScopedViewSet(ApiEntry, viewsets.GenericViewSet):
    """A view set over one model's rows that the reader may see (``scoped(user)``)."""

    pagination_class = Cursor
    filter_backends = [DjangoFilterBackend]
    lookup_value_regex = ID_PATTERN

    def scoped(self, user):
        raise NotImplementedError

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return self.queryset
        return self.scoped(self.request.user)


# --- documents on records ------------------------------------------------------------------------


class RecordDocuments:
    """``/<records>/{id}/documents/`` on the lead, customer and contract view sets: the
    record's documents (GET) and an upload to it (POST, multipart/form-data), through the
    documents service, which checks the type on the content and the size limit as the page
    does. The record is found in the reader's scope first: another team's id is a 404."""

    document_field = ""  # the Document foreign key to the view set's model

    @extend_schema(
        methods=["get"],
        responses=s.DocumentSerializer(many=True),
        parameters=[OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)],
    )
    @extend_schema(
        methods=["post"],
        request={"multipart/form-data": s.DocumentUploadSerializer},
        responses={201: s.DocumentSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        filter_backends=[],
        pagination_class=Cursor,
        parser_classes=[MultiPartParser],
    )
    def documents(self, request, pk=None):
        """The record's documents (GET, newest first), or a file uploaded to it (POST,
        multipart/form-data with `kind` and `file`): the type is read from the content (PDF,
        PNG, JPEG, .docx, .xlsx; a renamed executable is refused), the size is at most
        DOCUMENT_MAX_BYTES, and a signed contract scan belongs on a contract only."""
        record = self.get_object()
        if request.method == "GET":
            rows = (
                Document.objects.visible_to(request.user)
                .filter(**{self.document_field: record})
                .select_related("uploaded_by")
            )
            page = self.paginate_queryset(rows)
            return self.get_paginated_response(s.DocumentSerializer(page, many=True).data)
        data = s.DocumentUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document = document_upload(
            actor=request.user,
            record=record,
            uploaded=data.validated_data["file"],
            kind=data.validated_data["kind"],
        )
        return Response(s.DocumentSerializer(document).data, status=status.HTTP_201_CREATED)


DOWNLOAD_TYPES = {
    (200, content_type): OpenApiTypes.BINARY for content_type in sorted(ALLOWED_TYPES)
}


@extend_schema_view(destroy=extend_schema(responses={204: None}))
class DocumentViewSet(mixins.RetrieveModelMixin, mixins.DestroyModelMixin, ScopedViewSet):
    """One document of a record the reader sees: its details, its file (download), and its
    removal where the page allows it (the scan of an archived contract is kept)."""

    queryset = Document.objects.none()
    serializer_class = s.DocumentSerializer
    filter_backends = []
    http_method_names = ["get", "delete", "head", "options"]

    def scoped(self, user):
        return Document.objects.visible_to(user).select_related(
            "uploaded_by", "lead", "customer", "contract"
        )

    def destroy(self, request, *args, **kwargs):
        document_delete(actor=request.user, document=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=DOWNLOAD_TYPES)
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The document's file, as an attachment with the type read at upload."""
        document = self.get_object()
        try:
            handle = document.file.open("rb")
        except (FileNotFoundError, OSError):
            raise NotFound(_("The file of this document is missing.")) from None
        response = FileResponse(
            handle, as_attachment=True, filename=document.name, content_type=document.content_type
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


# --- leads ------------------------------------------------------------------------------------


class DuplicateSerializer(serializers.Serializer):
    detail = serializers.CharField()
    existing = serializers.IntegerField(allow_null=True)


@extend_schema_view(
    create=extend_schema(
        request=s.LeadWriteSerializer, responses={201: s.LeadSerializer, 409: DuplicateSerializer}
    ),
    partial_update=extend_schema(
        request=s.LeadWriteSerializer, responses={200: s.LeadSerializer, 409: DuplicateSerializer}
    ),
)
class LeadViewSet(
    RecordDocuments,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ScopedViewSet,
):
    """Leads the reader sees: own (rep), the team's (manager), all (director, admin)."""

    queryset = Lead.objects.none()
    serializer_class = s.LeadSerializer
    document_field = "lead"
    filterset_class = filters.LeadApiFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def scoped(self, user):
        return Lead.objects.visible_to(user).select_related("owner", "channel")

    def _duplicate(self, duplicate):
        visible = Lead.objects.visible_to(self.request.user).filter(pk=duplicate.existing.pk)
        return Response(
            {
                "detail": str(duplicate.message),
                "existing": duplicate.existing.pk if visible.exists() else None,
            },
            status=status.HTTP_409_CONFLICT,
        )

    def create(self, request, *args, **kwargs):
        data = s.LeadWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            lead = lead_services.lead_create(actor=request.user, **data.validated_data)
        except lead_services.DuplicateLead as duplicate:
            return self._duplicate(duplicate)
        lead = self.scoped(request.user).get(pk=lead.pk)
        return Response(s.LeadSerializer(lead).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        lead = self.get_object()
        data = s.LeadWriteSerializer(lead, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        try:
            lead_services.lead_update(lead=lead, actor=request.user, **data.validated_data)
        except lead_services.DuplicateLead as duplicate:
            return self._duplicate(duplicate)
        return Response(s.LeadSerializer(self.scoped(request.user).get(pk=lead.pk)).data)

    @extend_schema(request=s.StageChangeSerializer, responses=s.LeadSerializer)
    @action(detail=True, methods=["post"])
    def stage(self, request, pk=None):
        lead = self.get_object()
        data = s.StageChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lead_services.lead_change_stage(
            lead=lead,
            actor=request.user,
            to_stage=data.validated_data["to_stage"],
            lost_reason=data.validated_data.get("lost_reason"),
        )
        return Response(s.LeadSerializer(self.scoped(request.user).get(pk=lead.pk)).data)

    @extend_schema(
        methods=["get"],
        responses=s.ActivitySerializer(many=True),
        parameters=[OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)],
    )
    @extend_schema(
        methods=["post"], request=s.ActivitySerializer, responses={201: s.ActivitySerializer}
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=Cursor)
    def activities(self, request, pk=None):
        lead = self.get_object()
        if request.method == "GET":
            rows = Activity.objects.filter(lead=lead).select_related("actor").order_by("-id")
            page = self.paginate_queryset(rows)
            return self.get_paginated_response(s.ActivitySerializer(page, many=True).data)
        data = s.ActivitySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        activity = lead_services.activity_log(lead=lead, actor=request.user, **data.validated_data)
        return Response(s.ActivitySerializer(activity).data, status=status.HTTP_201_CREATED)


# --- customers and contracts --------------------------------------------------------------------


@extend_schema_view(
    partial_update=extend_schema(request=s.CustomValuesSerializer, responses=s.CustomerSerializer)
)
class CustomerViewSet(
    RecordDocuments,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    ScopedViewSet,
):
    """Customers the reader sees; PATCH changes their custom field values (the owner or their
    manager, as on the customer page)."""

    queryset = Customer.objects.none()
    serializer_class = s.CustomerSerializer
    document_field = "customer"
    filterset_class = filters.CustomerFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def scoped(self, user):
        return Customer.objects.visible_to(user).select_related("owner")

    def partial_update(self, request, *args, **kwargs):
        customer = self.get_object()
        data = s.CustomValuesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        customer_services.customer_custom_update(
            customer=customer, actor=request.user, custom=data.validated_data["custom"]
        )
        return Response(s.CustomerSerializer(self.scoped(request.user).get(pk=customer.pk)).data)


@extend_schema_view(
    create=extend_schema(request=s.ContractDraftSerializer, responses={201: s.ContractSerializer}),
    partial_update=extend_schema(request=s.CustomValuesSerializer, responses=s.ContractSerializer),
)
class ContractViewSet(
    RecordDocuments,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ScopedViewSet,
):
    """Contracts the reader may open (as on the contract page: by scoping, or waiting for them
    as a deputy reviewer). The approval chain itself is worked in the UI. PATCH changes the
    custom field values, which are terms: locked under review and once signed."""

    queryset = Contract.objects.none()
    serializer_class = s.ContractSerializer
    document_field = "contract"
    filterset_class = filters.ContractFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def partial_update(self, request, *args, **kwargs):
        contract = self.get_object()
        data = s.CustomValuesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        customer_services.contract_custom_update(
            contract=contract, actor=request.user, custom=data.validated_data["custom"]
        )
        return Response(s.ContractSerializer(self.scoped(request.user).get(pk=contract.pk)).data)

    def scoped(self, user):
        return (
            Contract.objects.filter(reviewable_q(user))
            .select_related("owner")
            .prefetch_related("instalments")
        )

    def create(self, request, *args, **kwargs):
        data = s.ContractDraftSerializer(data=request.data, user=request.user)
        data.is_valid(raise_exception=True)
        terms = dict(data.validated_data)
        customer, lines, plan = terms.pop("customer"), terms.pop("lines"), terms.pop("instalments")
        contract = customer_services.contract_create(
            customer=customer,
            actor=request.user,
            lines=[dict(row) for row in lines],
            instalments=[dict(row) for row in plan],
            **terms,
        )
        return Response(
            s.ContractSerializer(self.scoped(request.user).get(pk=contract.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses=s.ContractSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        contract = self.get_object()
        customer_services.contract_submit(contract=contract, actor=request.user)
        return Response(s.ContractSerializer(self.scoped(request.user).get(pk=contract.pk)).data)


@extend_schema_view(
    create=extend_schema(request=s.PaymentRecordSerializer, responses={201: s.PaymentSerializer})
)
class PaymentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet
):
    queryset = Payment.objects.none()
    serializer_class = s.PaymentSerializer
    filterset_class = filters.PaymentFilter

    def scoped(self, user):
        return Payment.objects.visible_to(user).select_related("recorded_by")

    def create(self, request, *args, **kwargs):
        data = s.PaymentRecordSerializer(data=request.data, user=request.user)
        data.is_valid(raise_exception=True)
        payment = customer_services.payment_record(actor=request.user, **data.validated_data)
        return Response(
            s.PaymentSerializer(self.scoped(request.user).get(pk=payment.pk)).data,
            status=status.HTTP_201_CREATED,
        )


# --- targets and performance ------------------------------------------------------------------------


class TargetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    queryset = Target.objects.none()
    serializer_class = s.TargetSerializer
    filterset_class = filters.TargetFilter

    def scoped(self, user):
        plans = TargetPlan.objects.visible_to(user)
        return Target.objects.filter(plan__in=plans).visible_to(user).select_related("plan")


class ProgressQuery(serializers.Serializer):
    plan = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    period = serializers.ChoiceField(choices=list(progress_module.PERIODS), default="month")
    month = serializers.IntegerField(min_value=1, max_value=12, required=False)


class ProgressView(ApiEntry, APIView):
    """Target progress (actual vs target, achievement, gap, run-rate) of one published plan,
    for the rows the reader sees: the same computation as the Target progress page."""

    @extend_schema(parameters=[ProgressQuery], responses=s.ProgressSerializer)
    def get(self, request):
        query = ProgressQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        plan = TargetPlan.objects.published().filter(pk=query.validated_data["plan"]).first()
        if plan is None:
            raise NotFound(_("No published target plan with this id."))
        today = local_today()
        month = query.validated_data.get("month") or (
            today.month if plan.year == today.year else (12 if plan.year < today.year else 1)
        )
        result = progress_module.build_progress(
            plan=plan,
            user=request.user,
            kind=query.validated_data["period"],
            month=month,
            as_of=today,
        )
        rows = [
            {
                "label": str(row.label),
                "level": row.level,
                "owner": row.owner,
                "target": row.target,
                "target_to_date": row.target_to_date,
                "actual": row.actual,
                "projection": row.projection,
                "achievement_rate": row.achievement_rate,
                "gap_to_date": row.gap_to_date,
            }
            for row in result.sorted_rows()
        ]
        body = {
            "plan": plan.pk,
            "period": result.kind,
            "start": result.start,
            "end": result.end,
            "as_of": result.as_of,
            "rows": rows,
        }
        return Response(s.ProgressSerializer(body).data)


class ScoreCardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    queryset = ScoreCard.objects.none()
    serializer_class = s.ScoreCardSerializer
    filterset_class = filters.ScoreCardFilter

    def scoped(self, user):
        return ScoreCard.objects.visible_to(user).select_related("person").prefetch_related("lines")


class StatementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    queryset = CommissionStatement.objects.none()
    serializer_class = s.StatementSerializer
    filterset_class = filters.StatementFilter

    def scoped(self, user):
        return CommissionStatement.objects.visible_to(user).select_related("rep")


# --- notifications -------------------------------------------------------------------------------


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """The reader's own alerts (the /notifications/ inbox)."""

    queryset = Notification.objects.none()
    serializer_class = s.NotificationSerializer
    filterset_class = filters.NotificationFilter

    def scoped(self, user):
        return Notification.objects.filter(recipient=user)

    @extend_schema(request=s.MarkReadSerializer, responses=s.MarkedSerializer)
    @action(detail=False, methods=["post"], url_path="mark-read", filter_backends=[])
    def mark_read(self, request):
        data = s.MarkReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with transaction.atomic():
            marked = notifications_mark_read(user=request.user, ids=data.validated_data.get("ids"))
        return Response({"marked": marked})
