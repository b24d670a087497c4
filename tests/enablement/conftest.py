from tests.leads.conftest import lead_defaults  # noqa: F401  (the migrations' default rows)
