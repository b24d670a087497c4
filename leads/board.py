"""The pipeline board (kanban, issue 18): the leads a user may see, one column per stage.

Moving a card posts the same stage form to the same view as the lead page (leads.views.
stage_change → services.lead_change_stage), so the rules (lost needs a reason, a won lead
stays won) and the stage history are the same whichever way a lead moves. The board works
without JavaScript (each card has a "Move to" menu: the tap-to-move menu on a phone and the
keyboard's way); static/js/board.js adds drag and drop on top of those forms."""

from django.db.models import Count
from django.shortcuts import render

from salescrm.access import role_required
from salescrm.panels import attach_row_notes
from salescrm.permissions import Action, may
from salescrm.roles import SALES

from .forms import StageForm
from .models import Lead, LostReason

CARDS_PER_COLUMN = 30


@role_required(*SALES)
def board(request):
    leads = Lead.objects.visible_to(request.user)
    counts = dict(leads.order_by().values_list("stage").annotate(n=Count("pk")))
    columns, all_cards = [], []
    for stage, label in Lead.Stage.choices:
        cards = list(
            leads.filter(stage=stage)
            .select_related("owner")
            .order_by("-last_activity_at", "-created_at", "-pk")[:CARDS_PER_COLUMN]
        )
        total = counts.get(stage, 0)
        all_cards.extend(cards)
        columns.append(
            {
                "stage": stage,
                "label": label,
                "cards": cards,
                "total": total,
                "more": total - len(cards),
            }
        )
    attach_row_notes("leads:lead_row", request, all_cards)
    return render(
        request,
        "leads/board.html",
        {
            "columns": columns,
            "stages": Lead.Stage.choices,
            "lost_reasons": list(LostReason.objects.filter(is_active=True)),
            "can_move": may(request.user, Action.LEAD_CHANGE_STAGE),
            "form": StageForm(),
        },
    )
