"""CQL2 text (OGC 21-065): the filters OGC API clients send, parsed into a small tree.

Basic CQL2 (comparisons of properties and literals, ``AND``/``OR``/``NOT``, ``IS NULL``)
and the advanced comparison operators (``LIKE``, ``BETWEEN``, ``IN``).  Spatial and
temporal predicates are not taken: a filter naming one is refused, never ignored.  The
tree names properties and holds literal values; the database layer decides which
properties exist and binds every value as a parameter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from domain.errors import BadUserInput, Text

Value = str | Decimal | bool


@dataclass(frozen=True)
class Property:
    name: str


@dataclass(frozen=True)
class Literal:
    value: Value


Scalar = Property | Literal


@dataclass(frozen=True)
class Comparison:
    operator: str  # =, <>, <, <=, >, >=
    left: Scalar
    right: Scalar


@dataclass(frozen=True)
class IsNull:
    subject: Scalar
    negated: bool


@dataclass(frozen=True)
class Like:
    subject: Scalar
    pattern: Scalar
    negated: bool


@dataclass(frozen=True)
class Between:
    subject: Scalar
    low: Scalar
    high: Scalar
    negated: bool


@dataclass(frozen=True)
class In:
    subject: Scalar
    values: tuple[Scalar, ...]
    negated: bool


@dataclass(frozen=True)
class Logical:
    operator: str  # AND, OR
    parts: tuple[Expression, ...]


@dataclass(frozen=True)
class Not:
    part: Expression


Expression = Comparison | IsNull | Like | Between | In | Logical | Not

KEYWORDS = {"AND", "OR", "NOT", "IS", "NULL", "LIKE", "BETWEEN", "IN", "TRUE", "FALSE"}
# Deeper nesting than this is no filter a person writes: refused rather than recursed into.
MAX_DEPTH = 32
MAX_LENGTH = 4096

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>'(?:[^']|'')*')
      | (?P<number>[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
      | (?P<quoted>"(?:[^"]|"")+")
      | (?P<word>[A-Za-z_][A-Za-z0-9_.:]*)
      | (?P<operator><>|<=|>=|=|<|>)
      | (?P<punctuation>[(),])
    )""",
    re.VERBOSE,
)


def _refused(zh: str, en: str) -> BadUserInput:
    return BadUserInput(Text(f"filter: {zh}", f"filter: {en}"), "filter")


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    at: int


def _tokens(source: str) -> list[_Token]:
    tokens = []
    at = 0
    while at < len(source):
        if source[at:].strip() == "":
            break
        match = _TOKEN.match(source, at)
        if match is None or match.lastgroup is None:
            start = len(source) - len(source[at:].lstrip())
            raise _refused(
                f"第 {start + 1} 个字符处无法识别：{source[start : start + 10]!r}",
                f"cannot read {source[start : start + 10]!r} at character {start + 1}",
            )
        kind = match.lastgroup
        text, start = match.group(kind), match.start(kind)
        if kind == "word" and text.upper() in KEYWORDS:
            kind, text = "keyword", text.upper()
        tokens.append(_Token(kind, text, start))
        at = match.end()
    return tokens


class _Parser:
    def __init__(self, source: str) -> None:
        self.tokens = _tokens(source)
        self.position = 0
        self.depth = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            raise _refused("表达式不完整", "the expression ends too early")
        self.position += 1
        return token

    def accept(self, kind: str, text: str | None = None) -> bool:
        token = self.peek()
        if token is not None and token.kind == kind and (text is None or token.text == text):
            self.position += 1
            return True
        return False

    def expect(self, kind: str, text: str) -> None:
        if not self.accept(kind, text):
            token = self.peek()
            found = repr(token.text) if token else "结尾/the end"
            raise _refused(f"此处应为 {text}，而非 {found}", f"expected {text}, not {found}")

    def expression(self) -> Expression:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _refused(f"嵌套超过 {MAX_DEPTH} 层", f"nested more than {MAX_DEPTH} levels deep")
        parts = [self.conjunction()]
        while self.accept("keyword", "OR"):
            parts.append(self.conjunction())
        self.depth -= 1
        return parts[0] if len(parts) == 1 else Logical("OR", tuple(parts))

    def conjunction(self) -> Expression:
        parts = [self.negation()]
        while self.accept("keyword", "AND"):
            parts.append(self.negation())
        return parts[0] if len(parts) == 1 else Logical("AND", tuple(parts))

    def negation(self) -> Expression:
        if self.accept("keyword", "NOT"):
            return Not(self.negation())
        if self.accept("punctuation", "("):
            inner = self.expression()
            self.expect("punctuation", ")")
            return inner
        return self.predicate()

    def predicate(self) -> Expression:
        subject = self.scalar()
        if self.accept("keyword", "IS"):
            negated = self.accept("keyword", "NOT")
            self.expect("keyword", "NULL")
            return IsNull(subject, negated)
        negated = self.accept("keyword", "NOT")
        if self.accept("keyword", "LIKE"):
            return Like(subject, self.scalar(), negated)
        if self.accept("keyword", "BETWEEN"):
            low = self.scalar()
            self.expect("keyword", "AND")
            return Between(subject, low, self.scalar(), negated)
        if self.accept("keyword", "IN"):
            self.expect("punctuation", "(")
            values = [self.scalar()]
            while self.accept("punctuation", ","):
                values.append(self.scalar())
            self.expect("punctuation", ")")
            return In(subject, tuple(values), negated)
        if negated:
            raise _refused("NOT 之后应为 LIKE、BETWEEN 或 IN", "NOT here takes LIKE, BETWEEN or IN")
        token = self.take()
        if token.kind != "operator":
            raise _refused(
                f"{token.text!r} 不是比较运算符（=、<>、<、<=、>、>=）",
                f"{token.text!r} is not a comparison (=, <>, <, <=, >, >=)",
            )
        return Comparison(token.text, subject, self.scalar())

    def scalar(self) -> Scalar:
        token = self.take()
        if token.kind == "string":
            return Literal(token.text[1:-1].replace("''", "'"))
        if token.kind == "number":
            try:
                return Literal(Decimal(token.text))
            except InvalidOperation:  # the pattern admits numbers only
                raise _refused(
                    f"{token.text!r} 不是数", f"{token.text!r} is not a number"
                ) from None
        if token.kind == "keyword" and token.text in ("TRUE", "FALSE"):
            return Literal(token.text == "TRUE")
        if token.kind == "quoted":
            return Property(token.text[1:-1].replace('""', '"'))
        if token.kind == "word":
            following = self.peek()
            if following is not None and following.text == "(":
                raise _refused(
                    f"不支持函数或空间/时间谓词 {token.text}",
                    f"{token.text}: functions and spatial or temporal predicates are not "
                    "supported here (basic CQL2 and comparisons only)",
                )
            return Property(token.text)
        raise _refused(
            f"此处应为属性或值，而非 {token.text!r}",
            f"expected a property or a value, not {token.text!r}",
        )


def parse(source: str) -> Expression:
    """The filter ``source`` (CQL2 text) as a tree; ``BAD_USER_INPUT`` naming ``filter``
    with the place and the reason when it is not one."""
    if len(source) > MAX_LENGTH:
        raise _refused(f"超过 {MAX_LENGTH} 个字符", f"longer than {MAX_LENGTH} characters")
    parser = _Parser(source)
    if not parser.tokens:
        raise _refused("为空", "is empty")
    tree = parser.expression()
    rest = parser.peek()
    if rest is not None:
        raise _refused(
            f"第 {rest.at + 1} 个字符处多余：{rest.text!r}",
            f"unexpected {rest.text!r} at character {rest.at + 1}",
        )
    return tree


def properties_of(tree: Expression | Scalar) -> set[str]:
    """Every property the filter names."""
    match tree:
        case Property(name):
            return {name}
        case Literal():
            return set()
        case Comparison(_, left, right):
            return properties_of(left) | properties_of(right)
        case IsNull(subject, _):
            return properties_of(subject)
        case Like(subject, pattern, _):
            return properties_of(subject) | properties_of(pattern)
        case Between(subject, low, high, _):
            return properties_of(subject) | properties_of(low) | properties_of(high)
        case In(subject, values, _):
            return properties_of(subject).union(*(properties_of(v) for v in values))
        case Logical(_, parts):
            return set().union(*(properties_of(p) for p in parts))
        case Not(part):
            return properties_of(part)
    raise AssertionError(tree)  # pragma: no cover
