"""Generation guards: the bounded structured-output schema, and the runaway detector on the streamed text.

The detector is fed the text in small pieces, as tokens come; the schema is checked with jsonschema, which reads
`pattern`, `maxLength` and `maxItems` as vLLM's xgrammar enforces them.
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from tests.resume_builders import make_resume
from transformer.generation.runaway import RunawayDetector, RunawayLimits
from transformer.generation.schema import (
    LIST_KINDS,
    STRING_KINDS,
    GenerationBounds,
    generation_schema,
    output_schema,
)
from transformer.generation.validation import validate_output
from transformer.settings import TransformerSettings

DEFAULT_BOUNDS = GenerationBounds.from_settings(TransformerSettings())


def realistic_resume() -> dict[str, Any]:
    """A tailored resume as a good model writes it: entries share field names, never values."""
    work = [
        {
            "name": "Acme Corporation",
            "position": "Senior Data Engineer",
            "location": "Berlin",
            "startDate": "2019-03",
            "endDate": "Present",
            "summary": "Streaming data platform on Kubernetes for 40 product teams.",
            "highlights": [
                "Cut pipeline latency by 40% by moving batch jobs to Kubernetes.",
                "Saved $120,000 a year in cloud costs with autoscaling.",
                "Mentored 5 engineers; introduced design reviews.",
            ],
        },
        {
            "name": "Globex Inc.",
            "position": "Software Engineer",
            "location": "Remote",
            "startDate": "2016-06",
            "endDate": "2019-02",
            "summary": "REST services in Python and PostgreSQL.",
            "highlights": ["Introduced Prometheus monitoring and on-call runbooks.", "Led the move to Python 3."],
        },
        {
            "name": "Initech",
            "position": "Junior Developer",
            "location": "Munich",
            "startDate": "2014",
            "endDate": "2016",
            "summary": "",
            "highlights": [],
        },
    ]
    return make_resume(
        basics={
            "name": "José Müller",
            "label": "Senior Data Engineer",
            "email": "jose.mueller@example.com",
            "phone": "+49 30 1234567",
            "url": "https://github.com/josemueller",
            "location": {"city": "Berlin", "region": "", "countryCode": "DE"},
            "profiles": [{"network": "LinkedIn", "username": "josemueller", "url": "linkedin.com/in/josemueller"}],
        },
        summary="Data engineer with 8 years of experience building platforms in Python and Go on Kubernetes.",
        work=work,
        education=[
            {
                "institution": "Technical University of Munich",
                "area": "Computer Science",
                "studyType": "M.Sc.",
                "startDate": "2012",
                "endDate": "2014-09-30",
            }
        ],
        skills=[
            {"name": "Kubernetes", "keywords": ["Helm", "Prometheus", "Grafana"]},
            {"name": "Python", "keywords": ["pandas", "FastAPI", "pytest"]},
            {"name": "Go", "keywords": []},
            {"name": "SQL", "keywords": ["PostgreSQL"]},
        ],
        certifications=[{"name": "Certified Kubernetes Administrator (CKA)", "issuer": "CNCF", "date": "2021"}],
        tailoring={"targetRole": "Senior Platform Engineer", "matchedJobKeywords": ["Kubernetes", "Go", "Python"]},
    ).model_dump(by_alias=True)


def many_empty_strings() -> dict[str, Any]:
    """Every list at its bound, filled with empty strings, under entries that differ only by name."""
    work = [
        {"name": f"Employer {n}", "highlights": [""] * DEFAULT_BOUNDS.max_highlights}
        for n in range(DEFAULT_BOUNDS.max_work)
    ]
    skills = [{"name": name, "keywords": [""] * DEFAULT_BOUNDS.max_keywords} for name in ("Go", "Python", "SQL")]
    matched = [""] * DEFAULT_BOUNDS.max_matched_keywords
    return make_resume(work=work, skills=skills, tailoring={"matchedJobKeywords": matched}).model_dump(by_alias=True)


def first_fire(text: str, piece: int = 4, limits: RunawayLimits | None = None) -> tuple[int, str] | None:
    """Feed `text` in pieces of `piece` characters: (characters fed, description) when the detector fires."""
    detector = RunawayDetector(limits or RunawayLimits())
    for start in range(0, len(text), piece):
        fired = detector.feed(text[start : start + piece])
        if fired is not None:
            return start + piece, fired
    return None


# --- the runaway detector ---------------------------------------------------------------------------------------


def test_a_short_repeated_unit_is_a_runaway() -> None:
    text = '{"basics":{"name":"' + "abc" * 200
    fired = first_fire(text)
    assert fired is not None
    fed, description = fired
    assert fed < 20 + 150 + 16 + 4  # found within one check of the threshold, not at the end
    assert "3-character unit" in description


def test_a_long_run_of_digits_is_a_runaway() -> None:
    # What SmolLM2-135M wrote into a date until max_tokens.
    text = '{"work":[{"name":"Acme","startDate":"2019-04-19 18:44:58.7458883383458889888' + "8" * 300
    fired = first_fire(text, piece=3)
    assert fired is not None and "digits in a row" in fired[1]
    assert fired[0] < 120


def test_a_run_of_one_character_is_a_runaway() -> None:
    fired = first_fire('{"summary":"' + " " * 100)
    assert fired is not None and "repeated" in fired[1]


def test_a_repeated_sentence_is_a_runaway() -> None:
    sentence = "Experienced engineer with a passion for building scalable systems in Python. "
    fired = first_fire('{"summary":"' + sentence * 18)
    assert fired is not None
    assert f"{len(sentence)}-character unit" in fired[1]
    assert fired[0] <= 12 + 4 * len(sentence) + 16 + 4


def test_a_list_item_written_again_and_again_is_a_runaway() -> None:
    fired = first_fire('{"skills":[{"name":"Go","level":"","keywords":[' + '"Kubernetes",' * 30)
    assert fired is not None and "13-character unit" in fired[1]


@pytest.mark.parametrize("indent", [None, 2], ids=["compact", "indented"])
@pytest.mark.parametrize("piece", [1, 3, 7])
def test_a_realistic_resume_is_not_a_runaway(indent: int | None, piece: int) -> None:
    separators = (",", ":") if indent is None else None
    assert first_fire(json.dumps(realistic_resume(), indent=indent, separators=separators), piece) is None


@pytest.mark.parametrize("indent", [None, 2], ids=["compact", "indented"])
def test_json_with_many_empty_strings_is_not_a_runaway(indent: int | None) -> None:
    separators = (",", ":") if indent is None else None
    assert first_fire(json.dumps(many_empty_strings(), indent=indent, separators=separators)) is None


def test_the_thresholds_are_the_limits_given() -> None:
    text = '{"summary":"' + "abcd" * 20  # 80 characters of repeats
    assert first_fire(text) is None
    assert first_fire(text, limits=RunawayLimits(min_repeated_chars=40, min_repeats=4)) is not None


def test_the_detectors_defaults_are_the_settings_defaults() -> None:
    assert RunawayLimits.from_settings(TransformerSettings()) == RunawayLimits()


def test_the_detector_looks_at_a_bounded_window() -> None:
    detector = RunawayDetector(RunawayLimits())
    for n in range(20_000):
        detector.feed(f'"item {n}",')
    assert detector.fired is None
    assert len(detector._tail) <= 1000  # the cost per check does not grow with the answer


# --- the bounded schema -----------------------------------------------------------------------------------------


def _with_date(date: str) -> dict[str, Any]:
    answer = realistic_resume()
    answer["work"][0]["startDate"] = date
    return answer


@pytest.mark.parametrize("date", ["2019", "2019-04", "2019-04-19", "Present", "present", ""])
def test_a_bounded_date_is_a_year_a_month_a_day_or_present(date: str) -> None:
    jsonschema.validate(_with_date(date), generation_schema(DEFAULT_BOUNDS))


@pytest.mark.parametrize(
    "date", ["2019-04-19 18:44:58.7458", "2019-04-19 18", "2019-13", "April 2019", "20199", "1899", "2019-04-1"]
)
def test_a_runaway_or_free_form_date_is_refused(date: str) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(_with_date(date), generation_schema(DEFAULT_BOUNDS))


@pytest.mark.parametrize(
    ("field", "good", "bad"),
    [
        ("email", "jane.doe+cv@mail.example.co.uk", "jane at example dot com"),
        ("url", "linkedin.com/in/jane-doe", "my website"),
        ("phone", "(555) 123-4567", "call me"),
    ],
)
def test_email_url_and_phone_take_simple_shapes(field: str, good: str, bad: str) -> None:
    schema = generation_schema(DEFAULT_BOUNDS)
    for value in (good, ""):
        answer = realistic_resume()
        answer["basics"][field] = value
        jsonschema.validate(answer, schema)
    answer["basics"][field] = bad
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(answer, schema)


def test_the_default_bounds_are_what_a_resume_needs() -> None:
    schema = generation_schema(DEFAULT_BOUNDS)
    defs, root = schema["$defs"], schema["properties"]
    assert defs["Basics"]["properties"]["name"]["maxLength"] == 100
    assert defs["Education"]["properties"]["institution"]["maxLength"] == 100
    assert root["summary"]["maxLength"] == 600 and defs["Project"]["properties"]["description"]["maxLength"] == 600
    assert defs["Work"]["properties"]["highlights"] == {
        **defs["Work"]["properties"]["highlights"],
        "maxItems": 6,
        "items": {"type": "string", "maxLength": 240},
    }
    assert root["work"]["maxItems"] == 10 and root["skills"]["maxItems"] == 30
    assert defs["Skill"]["properties"]["keywords"]["maxItems"] == 12
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(realistic_resume(), schema)


def test_a_too_long_or_too_many_answer_is_refused() -> None:
    schema = generation_schema(DEFAULT_BOUNDS)
    answer = realistic_resume()
    answer["summary"] = "x" * 601
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(answer, schema)
    answer = realistic_resume()
    answer["work"][0]["highlights"] = ["Shipped."] * 7
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(answer, schema)


def test_no_string_has_both_a_pattern_and_a_length_bound() -> None:
    """vLLM's xgrammar backend refuses `pattern` with `maxLength` (a 400): a shape carries its own length."""

    def strings(node: Any) -> list[dict[str, Any]]:
        if isinstance(node, dict):
            found = [node] if node.get("type") == "string" else []
            return found + [s for value in node.values() for s in strings(value)]
        return [s for value in node for s in strings(value)] if isinstance(node, list) else []

    for bounds in (DEFAULT_BOUNDS, GenerationBounds(formats=True, max_string_chars=16, max_items=1)):
        for node in strings(generation_schema(bounds)):
            assert not ("pattern" in node and "maxLength" in node), node


@pytest.mark.parametrize(
    "bounds",
    [DEFAULT_BOUNDS, DEFAULT_BOUNDS.model_copy(update={"max_string_chars": 16, "max_items": 1}), GenerationBounds()],
    ids=["default", "tiny-caps", "unbounded"],
)
def test_the_schema_compiles_with_the_predictors_grammar_engine(bounds: GenerationBounds) -> None:
    """vLLM's xgrammar backend, as the predictor configures it (no free whitespace), over a byte vocabulary.

    A pattern's bounded repetition over {,128} fails here (xgrammar 0.2.8) as it fails in vLLM, once per request.
    """
    xgr = pytest.importorskip("xgrammar")
    vocabulary = [bytes([b]) for b in range(256)] + [b"</s>"]
    compiler = xgr.GrammarCompiler(xgr.TokenizerInfo(vocabulary, vocab_type=xgr.VocabType.RAW, stop_token_ids=[256]))
    compiler.compile_json_schema(json.dumps(generation_schema(bounds)), any_whitespace=False)


def test_the_overall_caps_still_apply() -> None:
    tiny = DEFAULT_BOUNDS.model_copy(update={"max_string_chars": 16, "max_items": 1})
    schema = generation_schema(tiny)
    basics = schema["$defs"]["Basics"]["properties"]
    assert basics["name"]["maxLength"] == 16 and schema["properties"]["summary"]["maxLength"] == 16
    assert schema["properties"]["work"]["maxItems"] == 1
    # A date's shape fits under the cap and stays; an e-mail's does not: then it is plain capped text.
    assert "pattern" in schema["$defs"]["Work"]["properties"]["startDate"]
    assert "pattern" not in basics["email"] and basics["email"]["maxLength"] == 16


def test_without_formats_dates_are_short_text() -> None:
    schema = generation_schema(DEFAULT_BOUNDS.model_copy(update={"formats": False}))
    start = schema["$defs"]["Work"]["properties"]["startDate"]
    assert "pattern" not in start and start["maxLength"] == 100


def test_every_string_and_list_of_the_output_schema_has_a_bound() -> None:
    schema = output_schema()
    strings, lists = set(), set()
    for model, node in {"TailoredResume": schema, **schema["$defs"]}.items():
        for field, prop in node["properties"].items():
            if prop.get("type") == "string":
                strings.add(f"{model}.{field}")
            elif prop.get("type") == "array":
                lists.add(f"{model}.{field}")
                if prop["items"].get("type") == "string":
                    strings.add(f"{model}.{field}[]")
    assert strings == set(STRING_KINDS)
    assert lists == set(LIST_KINDS)


def test_the_output_schema_and_validation_stay_as_they_were() -> None:
    schema = output_schema()
    assert "pattern" not in json.dumps(schema)
    assert schema["$defs"]["Work"]["properties"]["startDate"]["maxLength"] == 200
    # A bounded answer is a valid answer; so is one the bounds would not have allowed.
    for answer in (realistic_resume(), _with_date("March 2019")):
        resume, outcome = validate_output(json.dumps(answer), "stop")
        assert resume is not None and outcome.ok and outcome.cause is None


def test_a_refused_answer_names_its_cause() -> None:
    content = json.dumps(realistic_resume())
    assert validate_output(content[:100], "stop", runaway="digits")[1].cause == "repetition"
    assert validate_output(content[:100], "length")[1].cause == "cut_off"
    assert validate_output(content[:100], "stop")[1].cause == "invalid_json"
    assert validate_output(json.dumps({"basics": {}}), "stop")[1].cause == "schema"
