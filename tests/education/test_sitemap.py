def test_robots_txt_points_crawlers_to_the_sitemap_and_away_from_private_pages(client, settings):
    """It answered 404: crawlers had no sitemap to find and nothing asking them to keep out of the patient's form."""
    settings.SITE_URL = "https://portal.example"
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    for path in ("/intake/", "/staff/", "/admin/", "/search/"):
        assert f"Disallow: {path}" in lines
    assert "Sitemap: https://portal.example/sitemap.xml" in lines
