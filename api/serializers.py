"""What the API reads and writes. Input serializers only type and bound the values (the
model fields' own validators: amounts, business dates); every rule is the service's."""

from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from customers.models import Contract, Customer, Instalment, Payment, Product
from customfields import values as custom_values
from documents.models import Document
from leads.models import Activity, Channel, Lead, LostReason
from performance.models import CommissionStatement, ScoreCard, ScoreLine
from salescrm.bounds import MAX_AMOUNT, MAX_QUANTITY
from salescrm.models import Notification, ProductLine
from salescrm.timeutil import validate_business_date
from targets.models import Target

MONEY = {"max_digits": 14, "decimal_places": 2}


# --- leads ----------------------------------------------------------------------------------


class LeadSerializer(serializers.ModelSerializer):
    email = serializers.CharField(read_only=True)  # "" when unknown: not an e-mail format
    payer_relation = serializers.ChoiceField(
        choices=Lead.PayerRelation.choices, allow_blank=True, read_only=True
    )
    owner = serializers.CharField(source="owner.username", read_only=True, allow_null=True)
    channel = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Lead
        fields = [
            "id",
            "name",
            "company",
            "phone",
            "email",
            "wechat",
            "channel",
            "product_line",
            "budget",
            "region",
            "needs",
            "decision_maker_reached",
            "is_urgent",
            "payer_name",
            "payer_phone",
            "payer_relation",
            "stage",
            "score",
            "grade",
            "owner",
            "team",
            "created_at",
            "last_activity_at",
            "next_follow_up_on",
            "custom",
        ]
        read_only_fields = fields


class LeadWriteSerializer(serializers.ModelSerializer):
    channel = serializers.SlugRelatedField(
        slug_field="code", queryset=Channel.objects.filter(is_active=True)
    )
    product_line = serializers.PrimaryKeyRelatedField(
        queryset=ProductLine.objects.filter(is_active=True), required=False, allow_null=True
    )

    class Meta:
        model = Lead
        fields = [
            "name",
            "company",
            "phone",
            "email",
            "wechat",
            "channel",
            "product_line",
            "budget",
            "region",
            "needs",
            "decision_maker_reached",
            "is_urgent",
            "payer_name",
            "payer_phone",
            "payer_relation",
            "custom",
        ]
        # Duplicates are the lead service's business (after normalising the phone and e-mail,
        # as capture does): no unique check here that would compare the raw values.
        validators = []
        extra_kwargs = {
            "name": {"allow_blank": False},
            "phone": {"validators": []},
            "email": {"validators": []},
        }

    custom = serializers.DictField(
        required=False,
        help_text=_("Custom field values by key (Django admin → Custom fields)."),
    )

    def validate(self, attrs):
        if self.instance is None and not (attrs.get("phone") or attrs.get("email")):
            raise serializers.ValidationError(_("Give a phone number or an e-mail address."))
        if "custom" in attrs or self.instance is None:
            line = attrs.get("product_line") or getattr(self.instance, "product_line", None)
            try:
                attrs["custom"] = custom_values.clean(
                    "lead",
                    attrs.get("custom") or {},
                    product_line_id=line.pk if line else None,
                    partial_base=(self.instance.custom if self.instance else None),
                )
            except DjangoValidationError as exc:
                raise serializers.ValidationError(exc.message_dict) from None
        return attrs


class StageChangeSerializer(serializers.Serializer):
    to_stage = serializers.ChoiceField(choices=Lead.Stage.choices)
    lost_reason = serializers.PrimaryKeyRelatedField(
        queryset=LostReason.objects.filter(is_active=True), required=False, allow_null=True
    )


class ActivitySerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", read_only=True, allow_null=True)
    kind = serializers.ChoiceField(
        choices=[c for c in Activity.Kind.choices if c[0] not in (Activity.Kind.RE_ENQUIRY,)]
    )
    occurred_at = serializers.DateTimeField(required=False)
    next_follow_up_on = serializers.DateField(
        required=False, allow_null=True, validators=[validate_business_date]
    )

    class Meta:
        model = Activity
        fields = [
            "id",
            "kind",
            "occurred_at",
            "outcome",
            "feedback",
            "next_step",
            "next_follow_up_on",
            "actor",
            "created_at",
        ]
        read_only_fields = ["id", "actor", "created_at"]


# --- customers, contracts, payments ----------------------------------------------------------


class CustomerSerializer(serializers.ModelSerializer):
    email = serializers.CharField(read_only=True)
    owner = serializers.CharField(source="owner.username", read_only=True)

    class Meta:
        model = Customer
        fields = [
            "id",
            "lead",
            "kind",
            "name",
            "phone",
            "email",
            "address",
            "payer_name",
            "payer_phone",
            "tier",
            "tier_override",
            "owner",
            "created_at",
            "custom",
        ]
        read_only_fields = fields


class CustomValuesSerializer(serializers.Serializer):
    """A change of a customer's or a contract's custom field values: the keys named are set
    (null or "" clears one), the others kept; the service validates them as the form does."""

    custom = serializers.DictField(
        help_text=_('Custom field values by key; null or "" clears one.')
    )


class InstalmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Instalment
        fields = ["id", "sequence", "due_on", "amount", "paid_amount", "overdue_since"]
        read_only_fields = fields


class ContractSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username", read_only=True)
    instalments = InstalmentSerializer(many=True, read_only=True)

    class Meta:
        model = Contract
        fields = [
            "id",
            "number",
            "customer",
            "owner",
            "status",
            "total_amount",
            "training_content",
            "schedule",
            "payment_method",
            "invoice_needed",
            "invoice_title",
            "non_standard_terms",
            "special_terms",
            "starts_on",
            "ends_on",
            "is_renewal",
            "signed_on",
            "created_at",
            "custom",
            "instalments",
        ]
        read_only_fields = fields


class ContractLineInSerializer(serializers.Serializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY, default=1)
    discount_rate = serializers.DecimalField(
        max_digits=5, decimal_places=4, min_value=Decimal(0), max_value=Decimal(1), default=0
    )


class InstalmentInSerializer(serializers.Serializer):
    due_on = serializers.DateField(validators=[validate_business_date])
    amount = serializers.DecimalField(
        **MONEY,
        min_value=Decimal("0.01"),
        max_value=MAX_AMOUNT,
        required=False,
        allow_null=True,
    )


class ContractDraftSerializer(serializers.ModelSerializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.none())
    starts_on = serializers.DateField(validators=[validate_business_date])
    ends_on = serializers.DateField(validators=[validate_business_date])
    lines = ContractLineInSerializer(many=True, min_length=1, max_length=30)
    instalments = InstalmentInSerializer(many=True, min_length=1, max_length=60)
    custom = serializers.DictField(
        required=False,
        help_text=_("Custom field values by key (Django admin → Custom fields)."),
    )

    class Meta:
        model = Contract
        fields = [
            "customer",
            "training_content",
            "schedule",
            "payment_method",
            "invoice_needed",
            "invoice_title",
            "non_standard_terms",
            "special_terms",
            "starts_on",
            "ends_on",
            "lines",
            "instalments",
            "custom",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            # Another team's customer is "not found", as its page would be.
            self.fields["customer"].queryset = Customer.objects.visible_to(user)


class PaymentSerializer(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "contract",
            "instalment",
            "amount",
            "received_on",
            "method",
            "reference",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = fields


class PaymentRecordSerializer(serializers.Serializer):
    instalment = serializers.PrimaryKeyRelatedField(queryset=Instalment.objects.none())
    amount = serializers.DecimalField(**MONEY, min_value=Decimal("0.01"), max_value=MAX_AMOUNT)
    received_on = serializers.DateField(validators=[validate_business_date])
    method = serializers.ChoiceField(choices=Contract.PaymentMethod.choices)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["instalment"].queryset = Instalment.objects.visible_to(user)


# --- documents ------------------------------------------------------------------------------


class DocumentSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True)
    download = serializers.SerializerMethodField(
        help_text=_("Where the file is read: GET with the same credentials (never public).")
    )

    class Meta:
        model = Document
        fields = [
            "id",
            "kind",
            "name",
            "content_type",
            "size",
            "sha256",
            "lead",
            "customer",
            "contract",
            "uploaded_by",
            "uploaded_at",
            "download",
        ]
        read_only_fields = fields

    def get_download(self, document) -> str:
        return reverse("api:document-download", args=[document.pk])


class DocumentUploadSerializer(serializers.Serializer):
    """A file for a record (multipart/form-data). Its type is read from its content, never from
    its name: PDF, PNG, JPEG, Word (.docx) or Excel (.xlsx), at most DOCUMENT_MAX_BYTES."""

    kind = serializers.ChoiceField(choices=Document.Kind.choices)
    file = serializers.FileField(max_length=200, allow_empty_file=False)


# --- targets, performance, notifications -------------------------------------------------------


class TargetSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="plan.year", read_only=True)
    metric = serializers.CharField(source="plan.metric", read_only=True)

    class Meta:
        model = Target
        fields = ["id", "plan", "year", "metric", "level", "team", "rep", "month", "value"]
        read_only_fields = fields


class ProgressRowSerializer(serializers.Serializer):
    label = serializers.CharField()
    level = serializers.CharField()
    owner = serializers.IntegerField(allow_null=True)
    target = serializers.DecimalField(max_digits=16, decimal_places=2)
    target_to_date = serializers.DecimalField(max_digits=16, decimal_places=2)
    actual = serializers.DecimalField(max_digits=16, decimal_places=2)
    projection = serializers.DecimalField(max_digits=16, decimal_places=2)
    achievement_rate = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)
    gap_to_date = serializers.DecimalField(max_digits=16, decimal_places=2)


class ProgressSerializer(serializers.Serializer):
    plan = serializers.IntegerField()
    period = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    as_of = serializers.DateField()
    rows = ProgressRowSerializer(many=True)


class ScoreLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScoreLine
        fields = ["kpi", "actual", "target", "score", "weight", "weighted_score"]
        read_only_fields = fields


class ScoreCardSerializer(serializers.ModelSerializer):
    person = serializers.CharField(source="person.username", read_only=True)
    lines = ScoreLineSerializer(many=True, read_only=True)

    class Meta:
        model = ScoreCard
        fields = [
            "id",
            "person",
            "period_kind",
            "period_start",
            "period_end",
            "total_score",
            "computed_at",
            "lines",
        ]
        read_only_fields = fields


class StatementSerializer(serializers.ModelSerializer):
    rep = serializers.CharField(source="rep.username", read_only=True)

    class Meta:
        model = CommissionStatement
        fields = [
            "id",
            "rep",
            "team",
            "month",
            "plan",
            "base_kind",
            "base_amount",
            "target_amount",
            "achievement",
            "commission",
            "team_bonus",
            "total",
            "status",
            "computed_at",
            "closed_at",
        ]
        read_only_fields = fields


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "created_at", "read_at"]
        read_only_fields = fields


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        max_length=1000,
        help_text=_("Empty or missing: every unread notification."),
    )


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField()
