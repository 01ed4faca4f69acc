#!/usr/bin/env python3
"""Checks the packages that `dotnet pack` made of the three libraries, the hosting package and the test kit (run by .ci/run after packing).

Usage: eng/check-packages.py <folder with the .nupkg/.snupkg files> [--expect-commit SHA] [--deterministic] [--any-commit]

Fails (exit 1, one line per problem) when a package:
- is missing, or one is there that we do not ship;
- depends on a package outside our own, or on one of ours at another version (SailSocket.Extensions.Hosting may also
  depend on Microsoft.Extensions.* packages, and on nothing else; SailSocket.Testing on our packages only: no test
  framework, so that xUnit, NUnit and MSTest users can all take it);
- lacks metadata a package browser shows: licence expression, readme (and the file), description, tags, authors,
  project URL, repository URL and commit;
- lacks, for each target framework, the assembly's XML docs, or its symbols (.snupkg with a portable PDB whose SourceLink
  record points at raw.githubusercontent.com/<owner>/<repo>/<commit>/, the package's commit unless --any-commit, for a
  pack --no-build of outputs built before the last commit); with --deterministic, the PDB's paths must be the mapped
  `/_/` ones of a ContinuousIntegrationBuild.
The tool package SailSocket.Cli (`sailsocket`, src/Cli) is checked too, when it is in the folder (check_tool): the same
metadata, the DotnetTool package type and command, no nuspec dependency, and no bundled assembly but ours,
System.CommandLine and Spectre.Console.
The public API files are checked by the build itself (PublicApiAnalyzers RS0016/RS0017 are errors, and pack builds).
"""
import json
import re
import sys
import zipfile
import xml.etree.ElementTree as ET
from pathlib import Path

PACKAGES = ["SailSocket.Engine", "SailSocket.SocketIo", "SailSocket", "SailSocket.Extensions.Hosting", "SailSocket.Testing"]
FRAMEWORKS = ["net8.0", "net10.0"]
ASSEMBLY = {"SailSocket.Engine": "SailSocket.Engine", "SailSocket.SocketIo": "SailSocket.SocketIo", "SailSocket": "SailSocket",
            "SailSocket.Extensions.Hosting": "SailSocket.Extensions.Hosting", "SailSocket.Testing": "SailSocket.Testing"}
# Third-party dependencies a package may have, by id prefix: the core packages none (BCL only), hosting the
# Microsoft.Extensions.* abstractions it plugs into.
ALLOWED_PREFIXES = {"SailSocket.Extensions.Hosting": ("Microsoft.Extensions.",)}
REPOSITORY = "https://github.com/sailsocket/sailsocket"
RAW = "https://raw.githubusercontent.com/sailsocket/sailsocket/"
# The command-line tool: a DotnetTool package that bundles its dependencies (so its nuspec lists none); the assemblies
# it may bundle besides its own and our libraries are the two that issue 15 allows.
TOOL = "SailSocket.Cli"
TOOL_COMMAND = "sailsocket"
TOOL_ALLOWED = re.compile(r"(SailSocket(\.Cli|\.Engine|\.SocketIo)?|System\.CommandLine|Spectre\.Console(\.Ansi)?)\.dll")


def text(meta, ns, name):
    node = meta.find(f"{ns}{name}")
    return (node.text or "").strip() if node is not None else ""


def metadata(z, package, names, where, expect_commit, problems):
    """The nuspec checks every package of ours passes: licence, readme, description, tags, authors, project and
    repository URL with its commit. Returns the metadata element, the nuspec's namespace and the commit."""
    nuspec = ET.fromstring(z.read(f"{package}.nuspec"))
    ns = nuspec.tag[: nuspec.tag.index("}") + 1]
    meta = nuspec.find(f"{ns}metadata")
    license_node = meta.find(f"{ns}license")
    if license_node is None or license_node.get("type") != "expression" or license_node.text != "MIT":
        problems.append(f"{where}: licence is not the MIT expression")
    readme = text(meta, ns, "readme")
    if not readme or readme not in names or len(z.read(readme).strip()) < 200:
        problems.append(f"{where}: no readme, or a readme file missing or almost empty in the package")
    for name in ["description", "tags", "authors", "projectUrl"]:
        if not text(meta, ns, name):
            problems.append(f"{where}: no {name}")
    if text(meta, ns, "projectUrl") != REPOSITORY:
        problems.append(f"{where}: projectUrl is not {REPOSITORY}")
    repo = meta.find(f"{ns}repository")
    commit = repo.get("commit", "") if repo is not None else ""
    if repo is None or repo.get("url") != REPOSITORY or not re.fullmatch(r"[0-9a-f]{40}", commit):
        problems.append(f"{where}: repository url+commit missing or wrong: {None if repo is None else repo.attrib}")
    elif expect_commit and commit != expect_commit:
        problems.append(f"{where}: repository commit {commit} is not {expect_commit}")
    return meta, ns, commit


def source_link(pdb: bytes):
    """The SourceLink JSON of a portable PDB: stored verbatim (UTF-8) in its blob heap."""
    start = pdb.find(b'{"documents":')
    if start < 0:
        return None
    depth = 0
    for end in range(start, len(pdb)):
        depth += {ord("{"): 1, ord("}"): -1}.get(pdb[end], 0)
        if depth == 0:
            return json.loads(pdb[start:end + 1].decode("utf-8"))
    return None


def check(folder: Path, expect_commit, deterministic, any_commit=False):
    problems = []
    nupkgs = {p.name for p in folder.glob("*.nupkg") if not re.fullmatch(re.escape(TOOL) + r"\.\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?\.nupkg", p.name)}
    versions = {}
    for package in PACKAGES:
        found = [n for n in nupkgs if re.fullmatch(re.escape(package) + r"\.\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?\.nupkg", n)]
        if len(found) != 1:
            problems.append(f"{package}: expected one .nupkg in {folder}, found {found}")
            continue
        nupkgs.discard(found[0])
        versions[package] = found[0][len(package) + 1:-len(".nupkg")]
    problems += [f"{n}: not one of our packages" for n in sorted(nupkgs)]
    if len(set(versions.values())) > 1:
        problems.append(f"the packages have different versions: {versions}")

    for package, version in versions.items():
        where = f"{package} {version}"
        with zipfile.ZipFile(folder / f"{package}.{version}.nupkg") as z:
            names = set(z.namelist())
            meta, ns, commit = metadata(z, package, names, where, expect_commit, problems)
            for group in meta.iter(f"{ns}group"):
                for dep in group.iter(f"{ns}dependency"):
                    dep_id, dep_version = dep.get("id"), dep.get("version")
                    if dep_id not in PACKAGES and dep_id.startswith(ALLOWED_PREFIXES.get(package, ())):
                        continue
                    if dep_id not in PACKAGES:
                        problems.append(f"{where} ({group.get('targetFramework')}): depends on {dep_id} {dep_version}, outside our packages")
                    elif dep_version != version:
                        problems.append(f"{where}: depends on {dep_id} {dep_version}, not on the same version {version}")
            assembly = ASSEMBLY[package]
            for tfm in FRAMEWORKS:
                for ext in ["dll", "xml"]:
                    if f"lib/{tfm}/{assembly}.{ext}" not in names:
                        problems.append(f"{where}: no lib/{tfm}/{assembly}.{ext}")
            unexpected = [n for n in names if n.startswith("lib/") and not n.endswith("/") and not any(n == f"lib/{t}/{assembly}.{e}" for t in FRAMEWORKS for e in ["dll", "xml"])]
            if unexpected:
                problems.append(f"{where}: unexpected files {unexpected}")

        symbols = folder / f"{package}.{version}.snupkg"
        if not symbols.exists():
            problems.append(f"{where}: no symbol package {symbols.name}")
            continue
        with zipfile.ZipFile(symbols) as z:
            for tfm in FRAMEWORKS:
                pdb_name = f"lib/{tfm}/{assembly}.pdb"
                if pdb_name not in z.namelist():
                    problems.append(f"{where}: no {pdb_name} in the symbol package")
                    continue
                pdb = z.read(pdb_name)
                if not pdb.startswith(b"BSJB"):
                    problems.append(f"{where}: {pdb_name} is not a portable PDB")
                link = source_link(pdb)
                targets = list(link["documents"].items()) if link else []
                pdb_commits = {url[len(RAW):].split("/")[0] for _, url in targets if url.startswith(RAW)}
                if not targets or len(pdb_commits) != 1 or not all(url.startswith(RAW) for _, url in targets):
                    problems.append(f"{where}: {pdb_name} SourceLink does not point at {RAW}<commit>/: {link}")
                elif not re.fullmatch(r"[0-9a-f]{40}", next(iter(pdb_commits))):
                    problems.append(f"{where}: {pdb_name} SourceLink has no commit: {link}")
                elif not any_commit and pdb_commits != {commit}:
                    problems.append(f"{where}: {pdb_name} was built at commit {next(iter(pdb_commits))}, the package says {commit}: "
                                    "the build is older than the pack (rebuild)")
                elif deterministic and [key for key, _ in targets] != ["/_/*"]:
                    problems.append(f"{where}: {pdb_name} holds machine paths, not /_/ (ContinuousIntegrationBuild off?): {link}")
    return versions, problems


def check_tool(folder: Path, version, expect_commit):
    """The sailsocket tool package, if packed: metadata, package type, command, bundled assemblies, no dependency."""
    problems = []
    path = folder / f"{TOOL}.{version}.nupkg"
    if not path.exists():
        return [f"{TOOL}: expected {path.name} in {folder}"]
    where = f"{TOOL} {version}"
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        meta, ns, _ = metadata(z, TOOL, names, where, expect_commit, problems)
        types = [t.get("name") for t in meta.iter(f"{ns}packageType")]
        if types != ["DotnetTool"]:
            problems.append(f"{where}: package types {types}, not DotnetTool")
        deps = [d.get("id") for d in meta.iter(f"{ns}dependency")]
        if deps:
            problems.append(f"{where}: a tool bundles its dependencies, but the nuspec lists {deps}")
        settings = [n for n in names if n.endswith("/DotnetToolSettings.xml")]
        if len(settings) != 1:
            problems.append(f"{where}: expected one DotnetToolSettings.xml, found {settings}")
        else:
            commands = [c.get("Name") for c in ET.fromstring(z.read(settings[0])).iter() if c.tag.endswith("Command")]
            if commands != [TOOL_COMMAND]:
                problems.append(f"{where}: commands {commands}, not [{TOOL_COMMAND}]")
        bundled = sorted(n.rsplit("/", 1)[-1] for n in names if n.startswith("tools/") and n.endswith(".dll"))
        foreign = [n for n in bundled if not TOOL_ALLOWED.fullmatch(n)]
        if foreign:
            problems.append(f"{where}: bundles assemblies outside ours, System.CommandLine and Spectre.Console: {foreign}")
        if f"{TOOL}.dll" not in bundled:
            problems.append(f"{where}: no {TOOL}.dll under tools/")
    return problems


def main(argv):
    if not argv:
        print(__doc__)
        return 2
    folder = Path(argv[0])
    expect_commit = argv[argv.index("--expect-commit") + 1] if "--expect-commit" in argv else None
    versions, problems = check(folder, expect_commit, "--deterministic" in argv, "--any-commit" in argv)
    tool_packed = any(folder.glob(f"{TOOL}.*.nupkg"))
    if tool_packed and versions:
        problems += check_tool(folder, next(iter(versions.values())), expect_commit)
    for problem in problems:
        print(f"check-packages: FAIL {problem}")
    if problems:
        return 1
    print(f"check-packages: OK {', '.join(f'{p} {v}' for p, v in versions.items())}: metadata, readme, licence, "
          "repository+commit, xml docs, symbols with SourceLink, no dependency outside our packages"
          + (f"; {TOOL}: DotnetTool '{TOOL_COMMAND}', bundles only ours, System.CommandLine and Spectre.Console" if tool_packed else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
