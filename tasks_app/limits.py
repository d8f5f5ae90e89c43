"""Size, depth and character limits on everything a user can send, enforced before any work.

Why each limit is where it is (README: Hardening):

- A YAML alias repeats a node without repeating its text: a 559-byte document can stand for
  gigabytes once anything walks it (``json.dumps`` in model validation did). Documents are
  therefore composed with a bounded loader that counts every node *as expanded* and refuses
  the document before a single Python object is built from it.
- Recursive parsers (PyYAML's composer, ``json``) die with RecursionError on a few thousand
  levels of nesting; nesting is bounded while parsing, far below that.
- PostgreSQL text cannot hold NUL, and other C0 control characters have no business in task
  data: they are refused wherever text enters (YAML escapes such as ``"\\0"`` included).
"""
import json
import re

import yaml
from django.conf import settings

# A catalogue of a thousand tasks is about 1 MB of YAML and 60,000 nodes; the default one is 10 KB.
MAX_DOCUMENT_BYTES = 2 * 1024 * 1024
MAX_DOCUMENT_NODES = 200_000
# Document → tasks → task → params → a list param → its items: 6 levels; 32 leaves room for JSON params.
MAX_NESTING = 32
# Params are a handful of scalars and short lists; 64 KB is generous and keeps every row small.
MAX_PARAMS_BYTES = 64 * 1024
# What one execution stores about its outcome (the log has its own cap, MYSTOCKS_LOG_MAX_CHARS).
MAX_ERROR_CHARS = 10_000
MAX_TRACEBACK_CHARS = 50_000
MAX_RESULT_BYTES = 256 * 1024
TRUNCATED = "\n… [truncated]"

CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class InputTooLarge(ValueError):
    """A document or body passes a size, node or nesting limit (the message says which)."""


def max_request_bytes():
    return getattr(settings, "MYSTOCKS_MAX_REQUEST_BYTES", 3 * 1024 * 1024)


class BoundedSafeLoader(yaml.SafeLoader):
    """PyYAML's safe loader that refuses deep nesting while composing and big expansions before constructing."""

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):
        self._depth += 1
        try:
            if self._depth > MAX_NESTING:
                raise InputTooLarge(f"nested deeper than {MAX_NESTING} levels")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def get_single_data(self):
        node = self.get_single_node()
        if node is None:
            return None
        expanded_node_count(node, limit=MAX_DOCUMENT_NODES)
        return self.construct_document(node)


def expanded_node_count(root, *, limit):
    """How many nodes ``root`` stands for with every alias expanded; InputTooLarge past ``limit``.

    Counted bottom-up with a memo per node object (an alias is the same object), so a bomb is
    measured in time linear in its *text*, never in its expansion.
    """
    sizes, visiting, stack = {}, set(), [root]
    while stack:
        node = stack[-1]
        if id(node) in sizes:
            stack.pop()
            continue
        children = _children(node)
        if id(node) not in visiting:
            visiting.add(id(node))
            for child in children:
                if id(child) in visiting:
                    raise InputTooLarge("the document refers to itself (recursive alias)")
                if id(child) not in sizes:
                    stack.append(child)
            continue
        stack.pop()
        sizes[id(node)] = 1 + sum(sizes[id(c)] for c in children)
        if sizes[id(node)] > limit:
            raise InputTooLarge(f"more than {limit} values once aliases are expanded")
    return sizes[id(root)]


def _children(node):
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def load_yaml(text):
    """``yaml.safe_load`` with the limits above; raises yaml.YAMLError or InputTooLarge."""
    if len(text.encode("utf-8", errors="replace")) > MAX_DOCUMENT_BYTES:
        raise InputTooLarge(f"larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB")
    return yaml.load(text, Loader=BoundedSafeLoader)  # noqa: S506 - a SafeLoader subclass


def load_json(raw):
    """``json.loads`` with the nesting limit; raises ValueError (InputTooLarge for limits)."""
    try:
        value = json.loads(raw)
    except RecursionError:
        raise InputTooLarge(f"nested deeper than {MAX_NESTING} levels") from None
    if nesting_depth(value) > MAX_NESTING:
        raise InputTooLarge(f"nested deeper than {MAX_NESTING} levels")
    return value


def nesting_depth(value):
    """The nesting depth of a JSON-like value (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, (list, tuple)):
            deepest = max(deepest, depth + 1)
            if deepest > MAX_NESTING:
                return deepest
            stack.extend((child, depth + 1) for child in item)
    return deepest


def find_control_char(value, path=""):
    """The dotted path of the first string (key or value) in ``value`` holding a control character, or ""."""
    stack = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            if CONTROL_CHARS.search(item):
                return where or "non_field_errors"
        elif isinstance(item, dict):
            for key, child in item.items():
                child_path = f"{where}.{key}" if where else str(key)
                if CONTROL_CHARS.search(str(key)):
                    return child_path
                stack.append((child, child_path))
        elif isinstance(item, (list, tuple)):
            stack.extend((child, f"{where}[{i}]") for i, child in enumerate(item))
    return ""


def json_size(value):
    """Bytes of ``value`` as compact JSON (bounded input only: callers check nesting first)."""
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8"))


def cap_text(text, limit):
    """``text`` cut to ``limit`` characters with a visible marker."""
    if text is None or len(text) <= limit:
        return text
    return text[: limit - len(TRUNCATED)] + TRUNCATED


def cap_result(result):
    """A job's result, replaced by a short note when its JSON passes MAX_RESULT_BYTES."""
    if result is None or nesting_depth(result) <= MAX_NESTING and json_size(result) <= MAX_RESULT_BYTES:
        return result
    return {"truncated": True, "note": f"result larger than {MAX_RESULT_BYTES} bytes or nested too deep; not stored"}
