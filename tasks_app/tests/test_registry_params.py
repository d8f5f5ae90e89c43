import pytest

from tasks_app.registry import Param, ParamsInvalid, UnknownJob, get_job, job


@job("test_typed_params", params=[
    Param("count", "int", 1), Param("ratio", "float", 0.5), Param("flag", "bool", False),
    Param("day", "date"), Param("names", "list", [], choices=("a", "b")),
    Param("mode", "str", "fast", choices=("fast", "slow")), Param("needed", "str", required=True),
])
def typed(ctx, **params):
    return params


def test_it_merges_defaults_and_coerces_values():
    params = get_job("test_typed_params").validate_params(
        {"count": "3", "flag": "true", "day": "20240131", "names": ["b"], "needed": "x"},
    )
    assert params == {
        "count": 3, "ratio": 0.5, "flag": True, "day": "2024-01-31", "names": ["b"], "mode": "fast", "needed": "x",
    }


def test_an_empty_string_means_not_set_as_in_the_old_files():
    params = get_job("test_typed_params").validate_params({"count": "", "day": "", "mode": "", "needed": "x"})
    assert (params["count"], params["day"], params["mode"]) == (1, None, "fast")
    with pytest.raises(ParamsInvalid) as exc:
        get_job("test_typed_params").validate_params({"needed": ""})
    assert exc.value.by_param == {"needed": "is required"}


def test_it_names_every_bad_param():
    with pytest.raises(ParamsInvalid) as exc:
        get_job("test_typed_params").validate_params(
            {"count": "many", "flag": 3, "day": "31/01/2024", "names": ["c"], "mode": "medium", "colour": "red"},
        )
    errors = exc.value.by_param
    assert set(errors) == {"count", "flag", "day", "names", "mode", "colour", "needed"}
    assert "not a parameter of job 'test_typed_params'" in errors["colour"]
    assert "not one of" in errors["mode"] and "c not one of" in errors["names"]
    assert errors["needed"] == "is required"


def test_booleans_are_not_integers():
    with pytest.raises(ParamsInvalid) as exc:
        get_job("test_typed_params").validate_params({"count": True, "needed": "x"})
    assert "boolean" in exc.value.by_param["count"]


def test_unknown_jobs_are_rejected_with_the_registered_names():
    with pytest.raises(UnknownJob) as exc:
        get_job("app.tasks.data_sync.sync_daily_stock_data")
    assert "noop" in str(exc.value)


def test_the_builtin_and_catalogue_jobs_are_registered():
    for name in ("noop", "sleep", "fail", "sync_daily_stock_data", "calculate_technical_indicators", "run_backtest"):
        assert get_job(name).name == name
