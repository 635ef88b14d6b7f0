"""Installs the collections and roles of runbook's build plan into the image.

usage: install-content.py wheel|galaxy PLAN COLLECTIONS_DEST ROLES_DEST

PLAN (workspace/plan.json, written by runbook) lists the collections setting's names and every
requirements.yml entry, each with the file:line it came from; local artifacts sit next to it.

Collections, dependencies resolved (never --no-deps semantics):
  wheel:  concrete artifacts (file, dir, subdirs, url, git) are installed by `ansible-galaxy
          collection install --no-deps`; every Galaxy name, and every dependency their MANIFEST.json
          declares, is taken out of the `ansible` wheel in /build/wheels, its version checked against
          each requirement with ansible-core's own version rules. For builds where Galaxy is unreachable.
  galaxy: one `ansible-galaxy collection install -r` of everything, resolved by ansible-galaxy.
Roles: one `ansible-galaxy role install` per entry (tarball, SCM URL or Galaxy name; meta
dependencies installed by ansible-galaxy).
Writes COLLECTIONS_DEST/collections.json and ROLES_DEST.json ({"name": "version"}; "-" for a role
without a version).
A failure prints `runbook-build: ORIGIN: error: message` (ORIGIN is file:line:col) and exits 1.
"""
import glob
import json
import os
import subprocess
import sys
import tempfile
import zipfile

GALAXY = os.path.join(sys.prefix, "bin", "ansible-galaxy")


def fail(origin, message):
    print(f"runbook-build: {origin}: error: {message}", file=sys.stderr, flush=True)
    sys.exit(1)


def meets(version, spec):
    from ansible.galaxy.dependency_resolution.versioning import meets_requirements
    try:
        return meets_requirements(version, spec or "*")
    except ValueError:
        return False


def installed_collections(dest):
    found = {}
    for manifest in glob.glob(os.path.join(dest, "ansible_collections", "*", "*", "MANIFEST.json")):
        with open(manifest) as handle:
            info = json.load(handle)["collection_info"]
        found[f"{info['namespace']}.{info['name']}"] = (info["version"], info.get("dependencies") or {})
    return found


class Wheel:
    def __init__(self):
        wheels = glob.glob("/build/wheels/ansible-*.whl")
        if not wheels:
            sys.exit("install-content.py: no ansible wheel in /build/wheels")
        self.name = os.path.basename(wheels[0])
        self.zip = zipfile.ZipFile(wheels[0])
        self.members = self.zip.namelist()

    def manifest(self, name):
        namespace, collection = name.split(".", 1)
        path = f"ansible_collections/{namespace}/{collection}/MANIFEST.json"
        if path not in self.members:
            return None
        return json.loads(self.zip.read(path))["collection_info"]

    def extract(self, name, dest):
        namespace, collection = name.split(".", 1)
        prefix = f"ansible_collections/{namespace}/{collection}/"
        for member in self.members:
            if member.startswith(prefix):
                self.zip.extract(member, dest)


def galaxy_install(arguments, origin, what):
    result = subprocess.run([GALAXY, *arguments], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    sys.stdout.write(result.stdout)
    if result.returncode != 0:
        lines = [line for line in result.stdout.splitlines() if line.strip()]
        reason = next((line for line in reversed(lines) if "ERROR" in line), lines[-1] if lines else "")
        fail(origin, f"{what} could not be installed: {reason.strip()}")


def concrete_argument(entry):
    source = entry["source"]
    if entry["type"] == "git":
        url = source if source.startswith("git+") or source.startswith("git@") else "git+" + source
        version = entry.get("version") or "*"
        return url if version == "*" else f"{url},{version}"
    return source


def install_wheel(plan, dest):
    wheel = None
    for entry in plan["collections"]:
        if entry["type"] == "galaxy":
            continue
        before = set(installed_collections(dest))
        galaxy_install(
            ["collection", "install", "--no-deps", "--offline", "-p", dest, concrete_argument(entry)],
            entry["origin"], f"collection {entry.get('name') or entry['source']}")
        added = set(installed_collections(dest)) - before
        if entry.get("name") and entry["name"] not in installed_collections(dest):
            fail(entry["origin"], f"{entry['source']} does not hold collection {entry['name']}")
        entry["installed"] = sorted(added)
    queue = []
    for entry in plan["collections"]:
        if entry["type"] == "galaxy":
            queue.append((entry["name"], entry.get("version") or "*", entry["origin"]))
    installed = installed_collections(dest)
    for name, (version, dependencies) in list(installed.items()):
        for dependency, spec in dependencies.items():
            queue.append((dependency, spec, f"{name} {version} (its dependency {dependency}:{spec})"))
    while queue:
        name, spec, origin = queue.pop(0)
        installed = installed_collections(dest)
        if name in installed:
            version = installed[name][0]
            if not meets(version, spec):
                fail(origin, f"needs {name}:{spec} but {name} {version} is installed")
            continue
        wheel = wheel or Wheel()
        info = wheel.manifest(name)
        if info is None:
            fail(origin, f"collection {name} is not in {wheel.name}; use collections_source: galaxy, "
                         "or a file, dir or git requirement")
        if not meets(info["version"], spec):
            fail(origin, f"{name}:{spec} is not available: {wheel.name} has {name} {info['version']} "
                         "(collections_source: galaxy installs other versions)")
        wheel.extract(name, dest)
        for dependency, dependency_spec in (info.get("dependencies") or {}).items():
            queue.append((dependency, dependency_spec,
                          f"{origin} → {name} {info['version']} (its dependency {dependency}:{dependency_spec})"))


def install_galaxy(plan, dest):
    entries = []
    for entry in plan["collections"]:
        item = {"name": entry["name"] if entry["type"] == "galaxy" else concrete_argument(entry),
                "version": entry.get("version") or "*"}
        if entry["type"] == "galaxy":
            item["type"] = "galaxy"
            if entry.get("source"):
                item["source"] = entry["source"]
        elif entry["type"] == "git":
            url = entry["source"][4:] if entry["source"].startswith("git+") else entry["source"]
            item = {"name": url, "type": "git", "version": entry.get("version") or "*"}
        else:
            item["type"] = entry["type"]
        entries.append(item)
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as handle:
        json.dump({"collections": entries}, handle)
    origins = ", ".join(entry["origin"] for entry in plan["collections"])
    galaxy_install(["collection", "install", "-p", dest, "-r", handle.name], origins, "the collections")


def install_roles(plan, dest):
    versions = {}
    os.makedirs(dest, exist_ok=True)
    for entry in plan["roles"]:
        role = {"src": entry["src"], "name": entry["name"]}
        if entry.get("version"):
            role["version"] = entry["version"]
        if entry.get("scm"):
            role["scm"] = entry["scm"]
        with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as handle:
            json.dump([role], handle)
        galaxy_install(["role", "install", "-p", dest, "-r", handle.name], entry["origin"],
                       f"role {entry['name']}")
    for info in glob.glob(os.path.join(dest, "*", "meta", ".galaxy_install_info")):
        name = info.split(os.sep)[-3]
        version = ""
        with open(info) as handle:
            for line in handle:
                if line.startswith("version:"):
                    version = line.split(":", 1)[1].strip().strip("'\"")
        versions[name] = version or "-"
    with open(dest.rstrip("/") + ".json", "w") as out:
        json.dump(versions, out, sort_keys=True)
    if versions:
        print("roles:", " ".join(f"{n}={v}" for n, v in sorted(versions.items())))


def main():
    if len(sys.argv) != 5 or sys.argv[1] not in ("wheel", "galaxy"):
        sys.exit(__doc__)
    source, plan_path, dest, roles_dest = sys.argv[1:]
    with open(plan_path) as handle:
        plan = json.load(handle)
    os.chdir(os.path.dirname(os.path.abspath(plan_path)))
    os.makedirs(dest, exist_ok=True)
    (install_wheel if source == "wheel" else install_galaxy)(plan, dest)
    install_roles(plan, roles_dest)
    versions = {name: version for name, (version, _) in installed_collections(dest).items()}
    with open(os.path.join(dest, "collections.json"), "w") as out:
        json.dump(versions, out, sort_keys=True)
    print("collections:", " ".join(f"{n}={v}" for n, v in sorted(versions.items())))


if __name__ == "__main__":
    main()
