"""The pytest plugin: the ``fake_instantly`` fixtures and the ``instantly`` marker."""

from __future__ import annotations

import pytest

from instantly_columns.testing import FakeClock, FakeInstantly

pytest_plugins = ["pytester"]


def test_the_fixture_gives_a_fresh_fake_with_its_own_clock(
    fake_instantly: FakeInstantly, fake_instantly_key: str
) -> None:
    assert isinstance(fake_instantly.clock, FakeClock)
    assert fake_instantly.campaigns() == []
    assert fake_instantly.rate_limits is True
    assert fake_instantly_key
    fake_instantly.revoke_api_key(fake_instantly_key)  # it belongs to this workspace


@pytest.mark.instantly(rate_limits=False, seed=9, unpaid=True)
def test_the_marker_configures_it(fake_instantly: FakeInstantly) -> None:
    assert fake_instantly.rate_limits is False
    assert fake_instantly.seed == 9
    assert fake_instantly.unpaid is True


def test_marker_is_registered_and_errors_are_usage_errors(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.instantly(seed=4)
        class TestClassLevel:
            def test_seed(self, fake_instantly):
                assert fake_instantly.seed == 4

            @pytest.mark.instantly(seed=5)
            def test_nearest_wins(self, fake_instantly):
                assert fake_instantly.seed == 5

        @pytest.mark.instantly(no_such_option=True)
        def test_bad_option(fake_instantly):
            pass

        @pytest.mark.instantly(False)
        def test_positional(fake_instantly):
            pass

        def test_fresh_each_time_a(fake_instantly):
            fake_instantly.create_campaign("only here")

        def test_fresh_each_time_b(fake_instantly):
            assert fake_instantly.campaigns() == []

        def test_a_bug_in_the_fake_surfaces(fake_instantly, monkeypatch):
            def broken(*args):
                raise KeyError("oops")

            monkeypatch.setattr(fake_instantly._api, "dispatch", broken)
            key = fake_instantly.create_api_key()
            transport = fake_instantly.httpx_transport()
            import httpx
            with httpx.Client(transport=transport, base_url="https://api.instantly.ai") as http:
                answer = http.get("/api/v2/campaigns", headers={"Authorization": f"Bearer {key}"})
            assert answer.status_code == 500
        """
    )
    result = pytester.runpytest("--strict-markers", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=5, errors=3)
    result.stdout.fnmatch_lines(["*FakeInstantly failed while answering: KeyError('oops')*"])
    result.stdout.fnmatch_lines(["*@pytest.mark.instantly*no_such_option*"])
    pytester.runpytest("--markers").stdout.fnmatch_lines(["@pytest.mark.instantly(**kwargs)*"])
