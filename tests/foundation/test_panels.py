"""The page-panel registry (salescrm/panels.py): apps add boxes to another app's page in
their order; a panel with nothing to show is left out."""

from salescrm import panels


def test_panels_render_in_order_and_skip_empty_ones(monkeypatch, rf):
    monkeypatch.setattr(panels, "_PANELS", {})
    monkeypatch.setattr(panels, "_discover", lambda: None)

    @panels.page_panel("test_page", order=20)
    def second(request, **context):
        return f"second {context['x']}"

    @panels.page_panel("test_page", order=10)
    def first(request, **context):
        return "first "

    @panels.page_panel("test_page", order=5)
    def nothing(request, **context):
        return ""

    panels.page_panel("test_page", order=20)(second)  # registering twice keeps one
    assert panels.registered_panels("test_page") == [nothing, first, second]
    assert panels.render_panels("test_page", rf.get("/"), x=1) == "first second 1"
    assert panels.render_panels("other_page", rf.get("/")) == ""


def test_the_registered_panels_are_discovered():
    names = {
        slot: [func.__module__ for func in panels.registered_panels(slot)]
        for slot in ("leads:my_day", "dashboard", "dashboard:figures", "customers:detail")
    }
    assert names == {
        "leads:my_day": [
            "rhythm.panels",
            "rhythm.panels",
            "success.panels",
        ],  # calendar link, actions
        "dashboard": ["rhythm.panels"],
        "dashboard:figures": ["success.panels"],
        "customers:detail": ["success.panels"],
    }
