"""Compiles the Java regular expressions of the AWS service model into minimal DFAs.

The model's `pattern` constraints are java.util.regex patterns that AWS matches against the whole
value (Matcher.matches()). Compiling them here, at build time, into deterministic automata means
the server matches in one table look-up per character: no regex engine on the request path, no
backtracking, no recursion that a long value could use to overflow the stack, and no translation
into another regex dialect whose semantics differ in corners.

Alphabet. A DFA reads code points, folded into 129 symbols: 0..127 are the ASCII characters and
128 stands for every non-ASCII code point. Every construct in the model treats all non-ASCII code
points alike (their classes are ASCII ranges, `\\s`/`\\w`/`\\d` are ASCII-only in Java by default,
and negated classes, `.`, `\\S` and `\\W` accept every non-ASCII code point), so the folding is exact.
Java's `.` also excludes U+0085, U+2028 and U+2029; the fold accepts them, a difference no model
pattern can observe in a valid request.

Supported syntax: literals, escapes (\\d \\D \\s \\S \\w \\W, \\xhh, \\uhhhh, \\t \\n \\r \\f \\a \\e, \\0ooo,
escaped punctuation), classes with ranges and negation, `.`, groups (capturing, (?:...)),
alternation, the quantifiers * + ? {n} {n,} {n,m} (greedy or reluctant; both accept the same
strings), the anchors ^ and $, and lookaround assertions at the start or end of the pattern
((?=X) (?!X) before everything but `^`, (?<=X) (?<!X) after everything but `$`). Those are
compiled as intersections with (the complement of) X's language. Anything else raises
UnsupportedPattern, which fails the build: a model update that needs more must extend this file.
"""

NON_ASCII = 128
NUM_SYMBOLS = 129
ALL = (1 << NUM_SYMBOLS) - 1


class UnsupportedPattern(Exception):
    pass


def _bit(c):
    return 1 << c


def _range(lo, hi):
    mask = 0
    for c in range(lo, hi + 1):
        mask |= 1 << c
    return mask


DIGIT = _range(ord("0"), ord("9"))
WORD = DIGIT | _range(ord("a"), ord("z")) | _range(ord("A"), ord("Z")) | _bit(ord("_"))
SPACE = _bit(ord(" ")) | _range(0x09, 0x0D)  # \t \n \v(\x0B) \f \r
DOT = ALL & ~(_bit(ord("\n")) | _bit(ord("\r")))


def _symbol(code_point):
    return code_point if code_point < 128 else NON_ASCII


# ---------------------------------------------------------------------------------------------
# Parser: pattern text -> AST of tuples.
#   ("set", mask) ("cat", [nodes]) ("alt", [nodes]) ("rep", node, min, max_or_None)
#   ("bol",) ("eol",) ("look", ahead, negate, node)


class _Parser:
    def __init__(self, text):
        self.text = text
        self.pos = 0

    def fail(self, what):
        raise UnsupportedPattern("%s at offset %d in %r" % (what, self.pos, self.text))

    def peek(self, ahead=0):
        i = self.pos + ahead
        return self.text[i] if i < len(self.text) else None

    def take(self):
        ch = self.peek()
        if ch is None:
            self.fail("unexpected end of pattern")
        self.pos += 1
        return ch

    def parse(self):
        node = self.alternation()
        if self.pos != len(self.text):
            self.fail("unbalanced ')'")
        return node

    def alternation(self):
        branches = [self.concatenation()]
        while self.peek() == "|":
            self.pos += 1
            branches.append(self.concatenation())
        return branches[0] if len(branches) == 1 else ("alt", branches)

    def concatenation(self):
        items = []
        while self.peek() is not None and self.peek() not in "|)":
            items.append(self.quantified(self.atom()))
        return items[0] if len(items) == 1 else ("cat", items)

    def quantified(self, node):
        while True:
            ch = self.peek()
            if ch == "*":
                lo, hi = 0, None
                self.pos += 1
            elif ch == "+":
                lo, hi = 1, None
                self.pos += 1
            elif ch == "?":
                lo, hi = 0, 1
                self.pos += 1
            elif ch == "{" and self._is_counted():
                lo, hi = self._counted()
            else:
                return node
            if node[0] in ("bol", "eol", "look"):
                self.fail("quantified assertion")
            if self.peek() == "?":  # reluctant: same language as greedy
                self.pos += 1
            elif self.peek() == "+":
                self.fail("possessive quantifier")
            node = ("rep", node, lo, hi)

    def _is_counted(self):
        j = self.pos + 1
        digits = 0
        while j < len(self.text) and self.text[j].isdigit():
            j += 1
            digits += 1
        return digits > 0 and j < len(self.text) and self.text[j] in ",}"

    def _counted(self):
        self.pos += 1  # '{'
        lo = self._number()
        hi = lo
        if self.peek() == ",":
            self.pos += 1
            hi = self._number() if self.peek() != "}" else None
        if self.take() != "}":
            self.fail("bad counted repetition")
        if hi is not None and hi < lo:
            self.fail("bad counted repetition bounds")
        return lo, hi

    def _number(self):
        start = self.pos
        while self.peek() is not None and self.peek().isdigit():
            self.pos += 1
        if start == self.pos:
            self.fail("expected a number")
        return int(self.text[start : self.pos])

    def atom(self):
        ch = self.take()
        if ch == "(":
            return self.group()
        if ch == "[":
            return ("set", self.char_class())
        if ch == ".":
            return ("set", DOT)
        if ch == "^":
            return ("bol",)
        if ch == "$":
            return ("eol",)
        if ch == "\\":
            mask = self.escape(in_class=False)
            return mask if isinstance(mask, tuple) else ("set", mask)
        if ch in "*+?":
            self.fail("dangling quantifier")
        return ("set", _bit(_symbol(ord(ch))))

    def group(self):
        if self.peek() == "?":
            self.pos += 1
            kind = self.take()
            if kind == ":":
                node = self.alternation()
            elif kind in "=!":
                node = ("look", True, kind == "!", self.alternation())
            elif kind == "<" and self.peek() in ("=", "!"):
                negate = self.take() == "!"
                node = ("look", False, negate, self.alternation())
            else:
                self.fail("unsupported group construct (?" + kind)
        else:
            node = self.alternation()
        if self.take() != ")":
            self.fail("expected ')'")
        return node

    def escape(self, in_class):
        ch = self.take()
        simple = {"d": DIGIT, "D": ALL & ~DIGIT, "s": SPACE, "S": ALL & ~SPACE, "w": WORD,
                  "W": ALL & ~WORD}
        if ch in simple:
            return simple[ch]
        controls = {"t": 0x09, "n": 0x0A, "r": 0x0D, "f": 0x0C, "a": 0x07, "e": 0x1B}
        if ch in controls:
            return _bit(controls[ch])
        if ch == "x":
            return _bit(_symbol(self._hex(2)))
        if ch == "u":
            return _bit(_symbol(self._hex(4)))
        if ch == "0":
            start = self.pos
            while self.pos - start < 3 and self.peek() is not None and self.peek() in "01234567":
                self.pos += 1
            if start == self.pos:
                self.fail("bad octal escape")
            return _bit(_symbol(int(self.text[start : self.pos], 8)))
        if ch.isalnum():
            # \b \B \A \z \Z \G \p{..} \Q..\E, back-references: none appear in the model.
            self.fail("unsupported escape \\" + ch)
        return _bit(_symbol(ord(ch)))

    def _hex(self, digits):
        text = self.text[self.pos : self.pos + digits]
        if len(text) != digits or any(c not in "0123456789abcdefABCDEF" for c in text):
            self.fail("bad hex escape")
        self.pos += digits
        return int(text, 16)

    def char_class(self):
        negate = False
        if self.peek() == "^":
            negate = True
            self.pos += 1
        mask = 0
        first = True
        # A '-' makes a range only between two single characters; first, last, or after a range or
        # a class escape it is literal (Java and the model's own patterns rely on this).
        prev_char = None
        while True:
            ch = self.take()
            if ch == "]" and not first:
                break
            first = False
            if ch == "[" or (ch == "&" and self.peek() == "&"):
                self.fail("nested class or class intersection")
            if ch == "\\":
                item = self.escape(in_class=True)
                single = item if _is_single(item) else None
            else:
                item = _bit(_symbol(ord(ch)))
                single = item
            if ch == "-" and prev_char is not None and self.peek() != "]":
                # Range prev_char-next.
                nxt = self.take()
                if nxt == "\\":
                    hi_mask = self.escape(in_class=True)
                    if not _is_single(hi_mask):
                        self.fail("class escape as range end")
                else:
                    hi_mask = _bit(_symbol(ord(nxt)))
                lo, hi = _single_value(prev_char), _single_value(hi_mask)
                if hi < lo:
                    self.fail("reversed range")
                mask |= _range(lo, hi)
                prev_char = None
                continue
            mask |= item
            prev_char = single
        return (ALL & ~mask) if negate else mask


def _is_single(mask):
    return mask != 0 and (mask & (mask - 1)) == 0


def _single_value(mask):
    return mask.bit_length() - 1


def parse(text):
    return _Parser(text).parse()


# ---------------------------------------------------------------------------------------------
# Thompson NFA with zero-width ^ and $ edges.


class _Nfa:
    def __init__(self):
        self.eps = []
        self.bol = []
        self.eol = []
        self.edges = []

    def state(self):
        self.eps.append([])
        self.bol.append([])
        self.eol.append([])
        self.edges.append([])
        return len(self.eps) - 1

    def build(self, node, start):
        """Adds `node` starting at `start`; returns its end state."""
        kind = node[0]
        if kind == "set":
            end = self.state()
            self.edges[start].append((node[1], end))
            return end
        if kind == "cat":
            for item in node[1]:
                start = self.build(item, start)
            return start
        if kind == "alt":
            end = self.state()
            for branch in node[1]:
                s = self.state()
                self.eps[start].append(s)
                self.eps[self.build(branch, s)].append(end)
            return end
        if kind == "bol" or kind == "eol":
            end = self.state()
            (self.bol if kind == "bol" else self.eol)[start].append(end)
            return end
        if kind == "rep":
            _, sub, lo, hi = node
            for _ in range(lo):
                start = self.build(sub, start)
            if hi is None:
                loop = self.state()
                self.eps[start].append(loop)
                self.eps[self.build(sub, loop)].append(loop)
                return loop
            end = self.state()
            self.eps[start].append(end)
            for _ in range(hi - lo):
                start = self.build(sub, start)
                self.eps[start].append(end)
            return end
        if kind == "look":
            raise UnsupportedPattern("lookaround that is not at the start or end of the pattern")
        raise AssertionError(kind)


def _has_look(node):
    kind = node[0]
    if kind == "look":
        return True
    if kind in ("cat", "alt"):
        return any(_has_look(n) for n in node[1])
    if kind == "rep":
        return _has_look(node[1])
    return False


class Dfa:
    """A complete DFA over the 129 symbols. State 0 is the start state."""

    def __init__(self, trans, accept):
        self.trans = trans  # list of lists of NUM_SYMBOLS next states
        self.accept = accept  # list of bools

    def matches(self, text):
        state = 0
        for ch in text:
            state = self.trans[state][_symbol(ord(ch))]
        return self.accept[state]


def _symbol_partition(masks):
    """Splits the alphabet into classes no mask distinguishes; returns representative symbols."""
    classes = [ALL]
    for mask in masks:
        refined = []
        for cls in classes:
            inside, outside = cls & mask, cls & ~mask
            refined.extend(c for c in (inside, outside) if c)
        classes = refined
    return classes


def _nfa_to_dfa(node):
    nfa = _Nfa()
    start = nfa.state()
    final = nfa.build(node, start)

    def closure(states, at_start, through_eol):
        seen = set(states)
        stack = list(states)
        while stack:
            s = stack.pop()
            nexts = list(nfa.eps[s])
            if at_start:
                nexts += nfa.bol[s]
            if through_eol:
                nexts += nfa.eol[s]
            for t in nexts:
                if t not in seen:
                    seen.add(t)
                    stack.append(t)
        return frozenset(seen)

    classes = _symbol_partition(m for edges in nfa.edges for m, _ in edges)
    initial = (closure([start], True, False), True)
    index = {initial: 0}
    order = [initial]
    trans = []
    accept = []
    i = 0
    while i < len(order):
        states, at_start = order[i]
        i += 1
        accept.append(final in closure(states, at_start, True))
        row = [None] * NUM_SYMBOLS
        for cls in classes:
            targets = [t for s in states for m, t in nfa.edges[s] if m & cls]
            key = (closure(targets, False, False), False)
            if key not in index:
                index[key] = len(order)
                order.append(key)
            target = index[key]
            c = cls
            while c:
                low = c & -c
                row[low.bit_length() - 1] = target
                c ^= low
        trans.append(row)
        if len(order) > 20000:
            raise UnsupportedPattern("DFA too large")
    return Dfa(trans, accept)


def _product(a, b, combine):
    index = {(0, 0): 0}
    order = [(0, 0)]
    trans = []
    accept = []
    i = 0
    while i < len(order):
        x, y = order[i]
        i += 1
        accept.append(combine(a.accept[x], b.accept[y]))
        row = []
        for sym in range(NUM_SYMBOLS):
            key = (a.trans[x][sym], b.trans[y][sym])
            if key not in index:
                index[key] = len(order)
                order.append(key)
            row.append(index[key])
        trans.append(row)
    return Dfa(trans, accept)


def _complement(d):
    return Dfa(d.trans, [not a for a in d.accept])


def _flatten(node):
    """Splices nested concatenations (groups are already transparent in the AST)."""
    if node[0] != "cat":
        return [node]
    items = []
    for item in node[1]:
        items.extend(_flatten(item))
    return items


def _compile(node):
    if not _has_look(node):
        return _nfa_to_dfa(node)
    if node[0] == "alt":
        result = _compile(node[1][0])
        for branch in node[1][1:]:
            result = _product(result, _compile(branch), lambda x, y: x or y)
        return result
    items = _flatten(node)
    looks = [i for i, n in enumerate(items) if n[0] == "look"]
    if not looks:  # the lookaround is nested below this level, e.g. "(a|(?=b)b)c"
        raise UnsupportedPattern("lookaround that is not at the start or end of the pattern")
    rest = [n for n in items if n[0] != "look"]
    constraints = []
    any_char = ("rep", ("set", ALL), 0, None)
    for i in looks:
        _, ahead, negate, sub = items[i]
        if _has_look(sub):
            raise UnsupportedPattern("nested lookaround")
        before = all(n[0] == "bol" for n in items[:i] if n[0] != "look")
        after = all(n[0] == "eol" for n in items[i + 1 :] if n[0] != "look")
        if ahead and before:
            lang = _nfa_to_dfa(("cat", [sub, any_char]))  # X then anything
        elif not ahead and after:
            lang = _nfa_to_dfa(("cat", [any_char, sub]))  # anything then X
        else:
            raise UnsupportedPattern("lookaround that is not at the start or end of the pattern")
        constraints.append(_complement(lang) if negate else lang)
    result = _compile(("cat", rest) if rest else ("cat", []))
    for c in constraints:
        result = _product(result, c, lambda x, y: x and y)
    return result


def _minimize(d):
    """Moore partition refinement; returns (trans, accept) with unreachable-to-accept states
    collapsed into one dead state, renumbered so the start state is 0 and the dead state is
    None (absent)."""
    n = len(d.trans)
    block = [1 if a else 0 for a in d.accept]
    while True:
        signatures = {}
        new_block = []
        for s in range(n):
            sig = (block[s], tuple(block[t] for t in d.trans[s]))
            new_block.append(signatures.setdefault(sig, len(signatures)))
        if len(signatures) == len(set(block)):
            block = new_block
            break
        block = new_block
    # Live blocks: those from which an accepting block is reachable.
    num_blocks = max(block) + 1
    rep = [None] * num_blocks
    for s in range(n):
        if rep[block[s]] is None:
            rep[block[s]] = s
    succ = [set(block[t] for t in d.trans[rep[b]]) for b in range(num_blocks)]
    live = set(b for b in range(num_blocks) if d.accept[rep[b]])
    changed = True
    while changed:
        changed = False
        for b in range(num_blocks):
            if b not in live and succ[b] & live:
                live.add(b)
                changed = True
    # Renumber live blocks in breadth-first order from the start block.
    start = block[0]
    numbering = {}
    queue = [start] if start in live else []
    for b in queue:
        if b in numbering:
            continue
        numbering[b] = len(numbering)
        for t in d.trans[rep[b]]:
            tb = block[t]
            if tb in live and tb not in numbering:
                queue.append(tb)
    ordered = sorted(numbering, key=numbering.get)
    trans = []
    accept = []
    for b in ordered:
        row = []
        for t in d.trans[rep[b]]:
            tb = block[t]
            row.append(numbering[tb] if tb in live else None)
        trans.append(row)
        accept.append(d.accept[rep[b]])
    return trans, accept


class CompiledPattern:
    """The tables the C++ matcher walks.

    symbol_class[sym] -> column; next[state][column] -> state or -1 (no match possible from here);
    accept[state]. A pattern that matches nothing has a single non-accepting state whose row is
    all -1.
    """

    def __init__(self, source, trans, accept):
        self.source = source
        if not trans:  # empty language
            trans, accept = [[None] * NUM_SYMBOLS], [False]
        columns = {}
        self.symbol_class = []
        for sym in range(NUM_SYMBOLS):
            col = tuple(row[sym] for row in trans)
            self.symbol_class.append(columns.setdefault(col, len(columns)))
        self.num_columns = len(columns)
        self.num_states = len(trans)
        by_index = sorted(columns, key=columns.get)
        self.next = [
            [-1 if col[s] is None else col[s] for col in by_index] for s in range(self.num_states)
        ]
        self.accept = list(accept)

    def matches(self, text):
        state = 0
        for ch in text:
            state = self.next[state][self.symbol_class[_symbol(ord(ch))]]
            if state < 0:
                return False
        return self.accept[state]


def compile_pattern(source):
    trans, accept = _minimize(_compile(parse(source)))
    return CompiledPattern(source, trans, accept)
