from enablement.models import Script, ScriptVersion
from enablement.services import script_create, version_decide


def published_script(
    author, approver, *, title="初次接触话术", stage="contact", kind="script", **extra
):
    """A library entry written by `author` and published by `approver` through the services."""
    text = {"body": "您好，我是XX教育的课程顾问……", **extra}
    if kind == "objection":
        text.setdefault("objection", "太贵了")
    if kind == "case":
        text.update(customer="某制造企业", problem="新员工流失", result="留存率提升20%")
    script = script_create(actor=author, kind=kind, title=title, stage=stage, **text)
    version_decide(actor=approver, version=script.versions.get(), approve=True)
    script.refresh_from_db()
    return script


def pending_version(script: Script) -> ScriptVersion:
    return script.versions.get(status=ScriptVersion.Status.PENDING)
