"""Issue 27 item 7: every place where data reaches Streamlit text goes through the one escaping helper.

An AST scan of ``app.py`` and ``ui/``: every argument that Streamlit renders as Markdown (the body of
st.markdown/caption/toast/warning/error/info/success/title/…, a metric's label, value and delta, every widget's
label and help, the option labels of radio, pills and segmented_control, a dialog's title) must be provably free of
data markup. Provable means built only from:

- literals, and translations (``tr``/``t``: the text is ours) whose placeholders are themselves provable;
- ``markdown_text(...)`` (ui/plain_text.py): the one escaping helper;
- number, money, date and count formatters (``FORMATTERS``): digits and our own words;
- f-strings, ``+``, conditionals and ``sep.join(...)`` of provable parts;
- names assigned only provable values, dicts whose values are provable, and the project's own functions whose
  every ``return`` is provable;
- an exception class of the same file (made to be shown with st.exception) given provable arguments;
- a function parameter, when every call of that function in ui/ passes a provable argument for it.

Anything else (a query value, session state, an exception's text, ``tr_value`` which falls back to the data value)
fails this test, naming the file, line and argument, until it is wrapped in ``markdown_text``. Tables
(st.dataframe), st.text and st.code show text as text and are not sinks; charts go through ``chart_text``.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import REPO

FILES = sorted([REPO / "app.py", *(REPO / "ui").rglob("*.py")])
ESCAPERS = {"markdown_text"}
TRANSLATIONS = {"tr", "t"}
FORMATTERS = {  # digits, dates and our own words, whatever the data
    "number", "rub", "percent", "share_percent", "signed_percent", "count_of", "plural", "count", "moscow_time",
    "day_text", "span_text", "describe", "age_text", "hours_text", "signed_number", "int", "float", "len", "round",
    "abs",
}
BODY_SINKS = {"markdown", "caption", "toast", "warning", "error", "info", "success", "title", "header", "subheader",
              "write", "badge", "exception", "expander", "popover", "dialog", "spinner", "status", "button",
              "link_button", "download_button", "form_submit_button", "checkbox", "toggle", "radio", "selectbox",
              "multiselect", "text_input", "text_area", "number_input", "date_input", "time_input", "slider",
              "select_slider", "segmented_control", "pills", "file_uploader", "color_picker", "chat_input",
              "feedback", "tabs", "page_link"}
METRIC = "metric"
KEYWORDS = {"label", "body", "help", "title", "caption", "captions"}
METRIC_KEYWORDS = {"value", "delta"}
OPTION_LABEL_SINKS = {"radio", "segmented_control", "pills"}  # their options are Markdown too
NUMERIC_SPEC = re.compile(r"^[^}]*[,_]?(\.\d+)?[dfeg%n]$|^[,_]$")


@dataclass
class Scope:
    """Names bound in one function (or the module): name → the values assigned; params and loop targets apart."""

    name: str
    node: ast.AST
    assigned: dict[str, list[ast.expr]] = field(default_factory=dict)
    params: list[str] = field(default_factory=list)
    opaque: set[str] = field(default_factory=set)  # loop/with/except targets, tuple unpacking, imports
    unpacked: dict[str, list[tuple[ast.Call, int]]] = field(default_factory=dict)  # a, b = f(): (the call, index)
    parent: Scope | None = None


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"


def _targets(target: ast.expr) -> list[ast.expr]:
    return list(target.elts) if isinstance(target, ast.Tuple | ast.List) else [target]


def _collect(scope: Scope, body: list[ast.stmt]) -> None:
    for node in body:
        for sub in ast.walk(node) if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) else [node]:
            if isinstance(sub, ast.FunctionDef | ast.AsyncFunctionDef) and sub is not node:
                continue
            if isinstance(sub, ast.Assign):
                for target in sub.targets:
                    if isinstance(target, ast.Name):
                        scope.assigned.setdefault(target.id, []).append(sub.value)
                    elif isinstance(target, ast.Tuple | ast.List) and isinstance(sub.value, ast.Call):
                        for i, t in enumerate(target.elts):
                            if isinstance(t, ast.Name):
                                scope.unpacked.setdefault(t.id, []).append((sub.value, i))
                    elif isinstance(target, ast.Tuple | ast.List):
                        scope.opaque.update(t.id for t in target.elts if isinstance(t, ast.Name))
                    elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                        # labels[k] = v: v is one of the values of labels
                        scope.assigned.setdefault(target.value.id, []).append(ast.List(elts=[sub.value]))
            elif isinstance(sub, ast.AnnAssign | ast.AugAssign) and isinstance(sub.target, ast.Name) and sub.value:
                scope.assigned.setdefault(sub.target.id, []).append(sub.value)
            elif isinstance(sub, ast.For | ast.AsyncFor | ast.comprehension):
                scope.opaque.update(t.id for t in ast.walk(sub.target) if isinstance(t, ast.Name))
            elif isinstance(sub, ast.withitem) and sub.optional_vars is not None:
                scope.opaque.update(t.id for t in ast.walk(sub.optional_vars) if isinstance(t, ast.Name))
            elif isinstance(sub, ast.ExceptHandler) and sub.name:
                scope.opaque.add(sub.name)
            elif isinstance(sub, ast.Import | ast.ImportFrom):
                scope.opaque.update((a.asname or a.name).split(".")[0] for a in sub.names)
            elif isinstance(sub, ast.NamedExpr):
                scope.assigned.setdefault(sub.target.id, []).append(sub.value)
            elif isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr in (
                    "append", "extend", "insert", "update") and isinstance(sub.func.value, ast.Name) and sub.args:
                # parts.append(x): x is one of the list's elements
                value = sub.args[-1]
                scope.assigned.setdefault(sub.func.value.id, []).append(
                    ast.List(elts=[value]) if sub.func.attr not in ("extend", "update") else value)


class Scan:
    def __init__(self) -> None:
        self.functions: dict[str, list[tuple[Path, ast.FunctionDef | ast.AsyncFunctionDef, Scope]]] = {}
        self.exceptions: set[tuple[Path, str]] = set()  # (file, name) of the exception classes defined there
        self.findings: list[Finding] = []
        self.sink_params: set[tuple[str, str]] = set()  # (function name, parameter) whose value reaches a sink
        self.calls: list[tuple[Path, ast.Call, Scope]] = []
        self._returns: dict[int, bool] = {}
        self._scopes: dict[Path, Scope] = {}
        self._trees: dict[Path, ast.AST] = {}

    # ------------------------------------------------------------------ reading the files
    def load(self, path: Path) -> None:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        module = Scope(name="<module>", node=tree)
        _collect(module, tree.body)
        self._scopes[path] = module
        self._trees[path] = tree
        self._walk(path, tree, module)

    def _walk(self, path: Path, node: ast.AST, scope: Scope) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef) and any(
                    isinstance(b, ast.Name) and b.id.endswith(("Exception", "Error")) for b in child.bases):
                self.exceptions.add((path, child.name))
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                inner = Scope(name=child.name, node=child, parent=scope)
                args = child.args
                inner.params = [a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]]
                _collect(inner, child.body)
                self.functions.setdefault(child.name, []).append((path, child, inner))
                for deco in child.decorator_list:
                    self._walk(path, deco, scope)
                    if isinstance(deco, ast.Call):
                        self.calls.append((path, deco, scope))
                self._walk(path, child, inner)
            elif isinstance(child, ast.Lambda):
                inner = Scope(name="<lambda>", node=child, parent=scope)
                inner.params = [a.arg for a in child.args.args]
                self._walk(path, child, inner)
            else:
                if isinstance(child, ast.Call):
                    self.calls.append((path, child, scope))
                self._walk(path, child, scope)

    # ------------------------------------------------------------------ what is provably free of data markup
    def safe(self, expr: ast.expr | None, scope: Scope, path: Path, seen: frozenset[int] = frozenset()) -> bool:
        if expr is None or id(expr) in seen:
            return True
        seen = seen | {id(expr)}
        match expr:
            case ast.Constant():
                return True
            case ast.JoinedStr():
                return all(self._formatted(v, scope, path, seen) for v in expr.values
                           if isinstance(v, ast.FormattedValue))
            case ast.BinOp():  # text + text, "—" * n, arithmetic on provable numbers
                return self.safe(expr.left, scope, path, seen) and self.safe(expr.right, scope, path, seen)
            case ast.UnaryOp():
                return self.safe(expr.operand, scope, path, seen)
            case ast.IfExp():
                return self.safe(expr.body, scope, path, seen) and self.safe(expr.orelse, scope, path, seen)
            case ast.BoolOp():
                return all(self.safe(v, scope, path, seen) for v in expr.values)
            case ast.List() | ast.Tuple() | ast.Set():
                return all(self.safe(e.value if isinstance(e, ast.Starred) else e, scope, path, seen)
                           for e in expr.elts)
            case ast.ListComp() | ast.GeneratorExp() | ast.SetComp():
                return self.safe(expr.elt, scope, path, seen)
            case ast.Dict():
                return all(self.safe(v, scope, path, seen) for v in expr.values)
            case ast.DictComp():
                return self.safe(expr.value, scope, path, seen)
            case ast.Call():
                return self._call(expr, scope, path, seen)
            case ast.Name():
                return self._name(expr.id, scope, path, seen)
            case ast.Subscript():
                # a dict of provable values (entity_names[e]); a slice of a provable text
                return self.safe(expr.value, scope, path, seen)
            case ast.Attribute(attr="__getitem__"):
                return self.safe(expr.value, scope, path, seen)
            case ast.Starred():
                return self.safe(expr.value, scope, path, seen)
        return False

    def _formatted(self, value: ast.FormattedValue, scope: Scope, path: Path, seen: frozenset[int]) -> bool:
        spec = value.format_spec
        if isinstance(spec, ast.JoinedStr) and len(spec.values) == 1 and isinstance(spec.values[0], ast.Constant) \
                and NUMERIC_SPEC.match(str(spec.values[0].value)):
            return True  # {x:,.0f}: a number
        return self.safe(value.value, scope, path, seen)

    def _call(self, call: ast.Call, scope: Scope, path: Path, seen: frozenset[int]) -> bool:
        func = call.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name in ESCAPERS:
            return True
        if name in TRANSLATIONS:
            # the key names our own text; every placeholder value must be provable
            return all(self.safe(a, scope, path, seen) for a in call.args[1:]) and all(
                k.arg is not None and self.safe(k.value, scope, path, seen) for k in call.keywords)
        if name in FORMATTERS:
            return True
        if name == "str" and len(call.args) == 1:
            return self.safe(call.args[0], scope, path, seen)
        if name == "join" and isinstance(func, ast.Attribute) and len(call.args) == 1:
            return self.safe(func.value, scope, path, seen) and self.safe(call.args[0], scope, path, seen)
        if name in ("strip", "upper", "lower", "capitalize", "replace") and isinstance(func, ast.Attribute):
            return self.safe(func.value, scope, path, seen) and all(
                self.safe(a, scope, path, seen) for a in call.args)
        if name in ("min", "max", "sum") and isinstance(func, ast.Name):
            return all(self.safe(a, scope, path, seen) for a in call.args)
        if isinstance(func, ast.Name) and (path, name) in self.exceptions:  # its text is its arguments
            return all(self.safe(a, scope, path, seen) for a in call.args) and all(
                self.safe(k.value, scope, path, seen) for k in call.keywords)
        found = self.defined(call, path)
        return bool(found) and all(self._returns_safe(fn, inner, fpath) for fpath, fn, inner in found)

    def defined(self, call: ast.Call, path: Path) -> list[tuple[Path, ast.FunctionDef | ast.AsyncFunctionDef, Scope]]:
        """The project's functions a call may run: ``f(...)`` one defined in the same file (a name imported from
        elsewhere is unknown), ``module.f(...)`` one defined in any scanned file."""
        func = call.func
        if isinstance(func, ast.Name):
            return [d for d in self.functions.get(func.id, []) if d[0] == path]
        if isinstance(func, ast.Attribute):
            return list(self.functions.get(func.attr, []))
        return []

    def _element_safe(self, call: ast.Call, index: int, path: Path) -> bool:
        """``a, b = f()``: element ``index`` of every tuple ``f`` returns is provable."""
        found = self.defined(call, path)
        return bool(found) and all(
            all(isinstance(r.value, ast.Tuple) and index < len(r.value.elts) and self.safe(r.value.elts[index], inner,
                                                                                        fpath)
                for r in ast.walk(fn) if isinstance(r, ast.Return))
            for fpath, fn, inner in found)

    def _returns_safe(self, fn: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope, path: Path) -> bool:
        key = id(fn)
        if key not in self._returns:
            self._returns[key] = False  # a cycle proves nothing
            returns = [n.value for n in ast.walk(fn) if isinstance(n, ast.Return)]
            self._returns[key] = bool(returns) and all(self.safe(r, scope, path) for r in returns)
        return self._returns[key]

    def _name(self, name: str, scope: Scope | None, path: Path, seen: frozenset[int]) -> bool:
        while scope is not None:
            if name in scope.params:
                if scope.name == "<lambda>":
                    return False  # called by Streamlit with data (format_func=lambda x: …)
                self.sink_params.add((scope.name, name))  # decided at the calls of this function
                return True
            if name in scope.opaque:
                return False
            if name in scope.assigned or name in scope.unpacked:
                return all(self.safe(v, scope, path, seen) for v in scope.assigned.get(name, [])) and all(
                    self._element_safe(call, i, path) for call, i in scope.unpacked.get(name, []))
            scope = scope.parent
        return False

    # ------------------------------------------------------------------ the sinks
    def sink_arguments(self, call: ast.Call) -> list[tuple[str, ast.expr]]:
        func = call.func
        if call.args and isinstance(call.args[0], ast.Attribute) and call.args[0].attr in BODY_SINKS:
            # a widget handed to a helper with its arguments (ui.kept(st.radio, label, options, format_func=…))
            widget = call.args[0].attr
            out = [(f"{widget} passed on: label", a) for a in call.args[1:2]]
            out += [(f"{widget} passed on: {k.arg}=…", k.value) for k in call.keywords if k.arg in KEYWORDS or (
                widget in OPTION_LABEL_SINKS and k.arg == "format_func")]
            return out
        if not isinstance(func, ast.Attribute):
            return []
        name = func.attr
        if name not in BODY_SINKS and name != METRIC:
            # any other Streamlit call's tooltip (st.column_config.TextColumn(help=…), …) is Markdown too
            return [(f"{name}(help=…)", k.value) for k in call.keywords if k.arg == "help"]
        out: list[tuple[str, ast.expr]] = []
        positional = (0, 1, 2) if name == METRIC else () if name == "page_link" else (0,)
        for i in positional:
            if i < len(call.args):
                out.append((f"{name}() argument {i + 1}", call.args[i]))
        for kw in call.keywords:
            if kw.arg in KEYWORDS or (name == METRIC and kw.arg in METRIC_KEYWORDS) or (
                    name in OPTION_LABEL_SINKS and kw.arg == "format_func"):
                out.append((f"{name}({kw.arg}=…)", kw.value))
        if name in OPTION_LABEL_SINKS and len(call.args) > 1 and not any(
                k.arg == "format_func" for k in call.keywords):
            out.append((f"{name}() options", call.args[1]))
        return out

    def check(self) -> list[Finding]:
        for path, call, scope in self.calls:
            for what, arg in self.sink_arguments(call):
                if (isinstance(arg, ast.Name) and arg.id == "str") or (
                        isinstance(arg, ast.Attribute) and arg.attr in ("upper", "lower")):
                    continue  # format_func=str.upper
                if isinstance(arg, ast.Lambda):
                    ok = self.safe(arg.body, Scope("<lambda>", arg, parent=scope), path)
                else:
                    ok = self.safe(arg, scope, path)
                if not ok:
                    self.findings.append(Finding(str(path.relative_to(REPO)), arg.lineno,
                                                 f"{what}: {ast.unparse(arg)[:100]}"))
        # parameters that reach a sink: every call of their function must pass a provable value
        done: set[tuple[str, str]] = set()
        while self.sink_params - done:
            for fname, param in sorted(self.sink_params - done):
                done.add((fname, param))
                self._check_calls_of(fname, param)
        return self.findings

    def _check_calls_of(self, fname: str, param: str) -> None:
        called = {id(c.func) for _p, c, _s in self.calls}
        for path, tree in self._trees.items():
            for node in ast.walk(tree):  # passed on as a callback or a partial: its arguments cannot be followed
                if isinstance(node, ast.Name | ast.Attribute) and isinstance(node.ctx, ast.Load) and id(node) not in \
                        called and (node.id if isinstance(node, ast.Name) else node.attr) == fname and \
                        any(d[0] == path or isinstance(node, ast.Attribute) for d in self.functions.get(fname, [])):
                    self.findings.append(Finding(str(path.relative_to(REPO)), node.lineno,
                                                 f"{fname} (its {param} reaches Streamlit text) is passed on, so "
                                                 "what it is called with cannot be checked"))
        for _fpath, fn, _inner in self.functions.get(fname, []):
            args = fn.args
            names = [a.arg for a in [*args.posonlyargs, *args.args]]
            index = names.index(param) if param in names else None
            if index is not None and names and names[0] in ("self", "cls"):
                index -= 1
            for path, call, scope in self.calls:
                func = call.func
                called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) \
                    else ""
                if called != fname:
                    continue
                passed = [k.value for k in call.keywords if k.arg == param]
                if index is not None and index < len(call.args):
                    passed.append(call.args[index])
                for arg in passed:
                    if not self.safe(arg, scope, path):
                        self.findings.append(Finding(str(path.relative_to(REPO)), arg.lineno,
                                                     f"{fname}({param}=…) reaches Streamlit text: "
                                                     f"{ast.unparse(arg)[:100]}"))


def scan(files: list[Path]) -> list[Finding]:
    s = Scan()
    for path in files:
        s.load(path)
    return s.check()


def test_no_data_reaches_streamlit_text_unescaped() -> None:
    findings = scan(FILES)
    assert not findings, "data reaches Streamlit text without markdown_text (ui/plain_text.py):\n" + "\n".join(
        map(str, findings))


# ---------------------------------------------------------------- the scan itself catches bypasses

BYPASSES = {
    "a query value": 'import streamlit as st\nrow = q()\nst.toast(row["title"])\n',
    "a translation placeholder": 'import streamlit as st\nst.warning(tr("k", by=row["actor"]))\n',
    "a widget label": 'import streamlit as st\nst.toggle(tr("k", hosts=", ".join(hosts)))\n',
    "a metric value": 'import streamlit as st\nc1.metric(tr("k"), countries["name"].iloc[0])\n',
    "help text": 'import streamlit as st\nst.button(tr("k"), help=str(exc))\n',
    "session state": 'import streamlit as st\nnote = st.session_state["n"]\nst.error(note)\n',
    "a loop variable": 'import streamlit as st\nfor n in notes:\n    st.info(n)\n',
    "a helper's parameter": 'import streamlit as st\ndef show(x):\n    st.caption(x)\nshow(row["a"])\n',
    "a data fallback": 'import streamlit as st\nst.info(tr_value("status", row["s"]))\n',
    "a widget passed on": 'import streamlit as st\nkept(st.radio, tr("k"), opts, key="x", format_func=lambda o: o)\n',
    "a dict item": 'import streamlit as st\nnames = {"a": tr("k")}\nnames["b"] = row["n"]\nst.info(names["a"])\n',
    "a column tooltip": 'import streamlit as st\nst.column_config.TextColumn(help=row["h"])\n',
    "radio labels": 'import streamlit as st\nst.radio(tr("k"), opts, format_func=names.__getitem__)\n',
    "radio labels by lambda": 'import streamlit as st\nst.pills(tr("k"), opts, format_func=lambda o: o)\n',
    "an exception's text": 'import streamlit as st\nst.exception(RuntimeError(row["sql"]))\n',
    "our exception fed data": ('import streamlit as st\nclass Shown(Exception):\n    pass\n'
                               'st.exception(Shown(tr("k"), str(exc)))\n'),
    "a callback's parameter": ('import streamlit as st\ndef show(x):\n    st.caption(x)\n'
                               'st.button("b", on_click=show, args=(row["a"],))\n'),
}
ESCAPED = {
    "escaped": 'import streamlit as st\nst.toast(markdown_text(row["title"]))\n',
    "escaped placeholder": 'import streamlit as st\nst.warning(tr("k", by=markdown_text(row["a"]), n=number(3)))\n',
    "helper fed escaped": 'import streamlit as st\ndef show(x):\n    st.caption(x)\nshow(markdown_text(v))\n',
    "numbers": 'import streamlit as st\nc.metric(tr("k"), f"{share:.0f}%", delta=rub(x, "ru"))\n',
    "our exception, our words": ('import streamlit as st\nclass Shown(Exception):\n    pass\n'
                                 'st.exception(Shown(tr("k"), tr("t")))\n'),
}


@pytest.mark.parametrize("source", list(BYPASSES.values()), ids=list(BYPASSES))
def test_the_scan_finds_a_bypass(tmp_path: Path, source: str) -> None:
    path = REPO / "ui" / "_scan_probe.py"  # scanned as if it were in ui/ (never written there)
    s = Scan()
    tree = ast.parse(source)
    module = Scope(name="<module>", node=tree)
    _collect(module, tree.body)
    s._trees[path] = tree
    s._walk(path, tree, module)
    assert s.check(), source


@pytest.mark.parametrize("source", list(ESCAPED.values()), ids=list(ESCAPED))
def test_the_scan_accepts_escaped_data(source: str) -> None:
    path = REPO / "ui" / "_scan_probe.py"
    s = Scan()
    tree = ast.parse(source)
    module = Scope(name="<module>", node=tree)
    _collect(module, tree.body)
    s._trees[path] = tree
    s._walk(path, tree, module)
    assert not s.check(), source
