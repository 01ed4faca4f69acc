#!/usr/bin/env python3
"""Checks that the docfx API reference documents every public type and member.

Reads the public surface from src/*/PublicAPI.Shipped.txt and PublicAPI.Unshipped.txt (kept exact by
PublicApiAnalyzers) and the metadata docfx generated in docs/api/reference/*.yml, and compares them by type, and by
member name with the number of overloads. Run it after `dotnet docfx docs/api/docfx.json` (or
`dotnet docfx metadata docs/api/docfx.json`); it exits 1 and lists the differences when something is missing.

Usage: python3 eng/check-api-reference.py [repository root]
"""
import collections
import glob
import os
import re
import sys

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
REFERENCE = os.path.join(ROOT, "docs", "api", "reference")
MODIFIERS = ("const ", "static ", "override ", "virtual ", "abstract ", "readonly ", "sealed ", "new ", "extern ")
OPERATORS = {"==": "op_Equality", "!=": "op_Inequality", "<": "op_LessThan", ">": "op_GreaterThan",
             "<=": "op_LessThanOrEqual", ">=": "op_GreaterThanOrEqual", "+": "op_Addition", "-": "op_Subtraction"}


def generic_to_arity(name):
    """Foo<TState> -> Foo`1 (the form docfx uses in uids), for type names."""
    def arity(match):
        return "`" + str(match.group(1).count(",") + 1)
    return re.sub(r"<([^<>]*)>", arity, name)


def public_api():
    """(types, members): the type names, and a Counter of (type, member) -> overloads."""
    lines = []
    for path in sorted(glob.glob(os.path.join(ROOT, "src", "*", "PublicAPI.*.txt"))):
        with open(path, encoding="utf-8-sig") as f:
            for line in f:
                line = line.strip()
                if line and not line.startswith("#") and not line.startswith("*REMOVED*"):
                    lines.append(line.lstrip("~"))
    types = set()
    for line in lines:
        if " " not in line and "(" not in line:        # a type line: Namespace.Type or Namespace.Type<T>
            types.add(generic_to_arity(line))
    members = collections.Counter()
    properties = set()
    implicit = set()
    for line in lines:
        while line.startswith(MODIFIERS):
            line = line.split(" ", 1)[1]
        signature = line.split(" -> ")[0]
        head = signature.split("(")[0]
        if " " not in line and "(" not in line:
            continue                                     # the type itself
        name_part = head.split(" = ")[0]                 # enum member: Type.Name = 0
        owner, member = None, None
        operator = re.match(r"^(?P<owner>.+?)\.(?:(?P<conversion>implicit|explicit) )?operator (?P<op>.+)$", name_part)
        if operator:                                     # Type.operator ==, Type.implicit operator T
            owner = generic_to_arity(operator.group("owner"))
            conversion = operator.group("conversion")
            member = ("op_" + conversion.capitalize()) if conversion else OPERATORS.get(operator.group("op").strip(), "op_?")
        else:
            normalized = generic_to_arity(name_part)
            for candidate in sorted(types, key=len, reverse=True):
                if normalized.startswith(candidate + "."):
                    owner, member = candidate, normalized[len(candidate) + 1:]
                    break
        if owner is None:
            raise SystemExit(f"cannot place '{line}' in a type")
        member = re.sub(r"`\d+$", "", member)
        for accessor in (".get", ".set", ".init", ".add", ".remove"):
            if member.endswith(accessor):
                member = member[: -len(accessor)]
        if member == owner.rsplit(".", 1)[-1].split("`")[0]:
            member = "#ctor"
            if signature.endswith("()"):
                implicit.add(owner)                      # a parameterless constructor: implicit unless declared
        if "(" in signature:
            members[(owner, member)] += 1                # one per overload
        elif (owner, member) not in properties:          # properties, fields, events, enum members: once
            properties.add((owner, member))
            members[(owner, member)] += 1
    return types, members, implicit


def reference():
    """(types, members, delegates) from docfx's metadata files."""
    types, delegates, records = set(), set(), set()
    members = collections.Counter()
    paths = [p for p in glob.glob(os.path.join(REFERENCE, "*.yml")) if not p.endswith("toc.yml")]
    if not paths:
        raise SystemExit(f"no metadata in {REFERENCE}: run `dotnet tool restore && dotnet docfx docs/api/docfx.json` first")
    for path in paths:
        items, item = [], None
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.startswith("references:"):
                    break
                if re.match(r"^    content: '?public (sealed |abstract |readonly )*record ", line) and item is not None:
                    records.add(item["uid"])
                if line.startswith("- uid: "):
                    item = {"uid": line[7:].strip()}
                    items.append(item)
                elif item is not None and line.startswith("  ") and not line.startswith("   ") and ":" in line:
                    key, value = line.strip().split(":", 1)
                    item.setdefault(key, value.strip())
        for it in items:
            kind = it.get("type")
            if kind in ("Class", "Struct", "Interface", "Enum", "Delegate"):
                types.add(it["uid"])
                if kind == "Delegate":
                    delegates.add(it["uid"])
            elif kind not in ("Namespace", None):
                parent = it["parent"]
                member = it["uid"][len(parent) + 1:].split("(")[0]
                member = re.sub(r"``\d+$", "", member)
                members[(parent, member)] += 1
    return types, members, delegates, records


# What the C# compiler declares for a record: docfx, like IntelliSense, shows the record's own declaration for them.
RECORD_MEMBERS = {"Equals", "GetHashCode", "ToString", "Deconstruct", "op_Equality", "op_Inequality", "<Clone>$",
                  "PrintMembers", "EqualityContract"}


def main():
    api_types, api_members, parameterless = public_api()
    ref_types, ref_members, delegates, records = reference()
    for delegate in delegates:                           # a delegate's Invoke is its signature, not a member page
        api_members.pop((delegate, "Invoke"), None)
    problems, compiler = [], []
    for t in sorted(api_types - ref_types):
        problems.append(f"type missing from the reference: {t}")
    for t in sorted(ref_types - api_types):
        problems.append(f"type in the reference but not in PublicAPI.*.txt: {t}")
    for key in sorted(set(api_members) | set(ref_members)):
        owner, member = key
        missing = api_members[key] - ref_members[key]
        if owner not in api_types or missing <= 0:
            continue
        if member == "#ctor" and owner in parameterless and missing == 1:
            compiler.append(f"{owner}() (the implicit parameterless constructor)")
        elif owner in records and member.replace("`1$", "<Clone>$") in RECORD_MEMBERS:
            compiler.append(f"{owner}.{member.replace('`1$', '<Clone>$')} (declared by the compiler for a record)")
        else:
            problems.append(f"member missing from the reference: {owner}.{member} "
                            f"({api_members[key]} in PublicAPI, {ref_members[key]} in the reference)")
    site = os.path.join(ROOT, "docs", "api", "_site", "reference")
    if os.path.isdir(site):                              # after a full build: one HTML page per type
        for t in sorted(api_types):
            if not os.path.isfile(os.path.join(site, t.replace("`", "-") + ".html")):
                problems.append(f"no HTML page for {t} in docs/api/_site/reference")
    print(f"public types: {len(api_types)} in PublicAPI.*.txt, {len(ref_types)} in the reference"
          + (f", {len(glob.glob(os.path.join(site, '*.html')))} HTML pages in docs/api/_site/reference" if os.path.isdir(site) else ""))
    print(f"public members (overloads counted): {sum(api_members.values())} in PublicAPI.*.txt, "
          f"{sum(v for k, v in ref_members.items() if k[0] in api_types)} in the reference")
    print(f"compiler-declared members without a page of their own (not documentable): {len(compiler)}")
    for c in compiler:
        print(f"  {c}")
    for p in problems:
        print(p)
    print("OK: every public type and member has a page." if not problems else f"{len(problems)} problem(s).")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
