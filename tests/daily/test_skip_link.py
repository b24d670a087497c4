"""Accessibility (issue 18): every page starts with a skip link to the main content."""


def test_skip_link_is_the_first_thing_and_points_at_main(login, rep):
    page = login(rep).get("/leads/").content.decode()
    body = page.split("<body", 1)[1]
    first_link = body.split("<a ", 1)[1]
    assert (
        first_link.startswith('class="visually-hidden-focusable') and 'href="#main"' in first_link
    )
    assert '<main class="container-fluid pb-5" id="main" tabindex="-1">' in page
    assert "跳到主要内容" in page
