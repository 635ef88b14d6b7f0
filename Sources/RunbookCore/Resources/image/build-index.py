"""Writes the image's plugin index, which `runbook validate` reads to check modules and arguments.

usage: build-index.py COLLECTIONS_PATH OUT.json

Sources, all from the image's own ansible-core and collections:
- modules and their argument specs: `ansible-doc --metadata-dump -t module` (documentation with the
  doc fragments merged: options with type, required, choices, aliases, elements, suboptions);
- lookup, filter and test names: `ansible-doc -t TYPE --list --json`;
- routing (redirects, deprecations, tombstones of modules and actions; redirects and tombstones of
  filters, tests and lookups): ansible-core's
  config/ansible_builtin_runtime.yml and each installed collection's meta/runtime.yml;
- each installed collection's roles (roles/*) and playbooks (playbooks/*.yml);
- the roles installed from the workspace's requirements (ANSIBLE_ROLES_PATH, as image_roles);
- the collections the `ansible` wheel holds but the image leaves out (when the wheel is there), so a
  name from one of them is reported as "not in the image" rather than unknown.
"""
import glob
import json
import os
import subprocess
import sys
import zipfile

import ansible
import yaml


def run(*arguments):
    done = subprocess.run(
        [os.path.join(sys.prefix, "bin", "ansible-doc"), *arguments],
        check=True, capture_output=True, text=True)
    return json.loads(done.stdout)


def options(spec):
    compact = {}
    for name, option in (spec or {}).items():
        if not isinstance(option, dict):
            continue
        entry = {}
        for key in ("type", "elements"):
            if isinstance(option.get(key), str):
                entry[key] = option[key]
        if option.get("required") is True:
            entry["required"] = True
        if isinstance(option.get("choices"), list):
            entry["choices"] = [str(choice) for choice in option["choices"]]
        elif isinstance(option.get("choices"), dict):
            entry["choices"] = [str(choice) for choice in option["choices"].keys()]
        if isinstance(option.get("aliases"), list):
            entry["aliases"] = [str(alias) for alias in option["aliases"]]
        if isinstance(option.get("suboptions"), dict):
            entry["suboptions"] = options(option["suboptions"])
        compact[name] = entry
    return compact


def routing(runtime):
    routes = {}
    for kind in ("modules", "action"):
        for name, route in ((runtime or {}).get("plugin_routing", {}).get(kind) or {}).items():
            if not isinstance(route, dict):
                continue
            entry = routes.setdefault(name, {})
            if isinstance(route.get("redirect"), str):
                entry["redirect"] = route["redirect"]
            for key in ("deprecation", "tombstone"):
                if isinstance(route.get(key), dict):
                    text = route[key].get("warning_text") or ""
                    version = route[key].get("removal_version") or route[key].get("removal_date") or ""
                    entry[key] = (f"removed in {version}" if key == "tombstone" else f"to be removed in {version}") \
                        + (f": {text}" if text else "")
    return routes


def jinja_routing(runtime):
    """Redirects and tombstones of filter, test and lookup plugins, by plugin type then name."""
    routes = {}
    for kind in ("filter", "test", "lookup"):
        for name, route in ((runtime or {}).get("plugin_routing", {}).get(kind) or {}).items():
            if not isinstance(route, dict):
                continue
            entry = {}
            if isinstance(route.get("redirect"), str):
                entry["redirect"] = route["redirect"]
            if isinstance(route.get("tombstone"), dict):
                entry["tombstone"] = "removed in " + str(route["tombstone"].get("removal_version") or "")
            if entry:
                routes.setdefault(kind, {})[name] = entry
    return routes


def collection_playbooks(folder):
    """The names `import_playbook: ns.coll.NAME` takes: playbooks/a/b.yml is `a.b`."""
    names = []
    for current, _, files in os.walk(folder):
        relative = os.path.relpath(current, folder)
        for entry in files:
            if entry.endswith((".yml", ".yaml")):
                parts = [] if relative == "." else relative.split(os.sep)
                names.append(".".join(parts + [os.path.splitext(entry)[0]]))
    return sorted(names)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    collections_path, out = sys.argv[1], sys.argv[2]
    dump = run("--metadata-dump", "--no-fail-on-errors", "-t", "module")
    modules = {}
    for name, plugin in dump.get("all", {}).get("module", {}).items():
        doc = (plugin or {}).get("doc") or {}
        spec = options(doc.get("options"))
        modules[name] = {"options": spec, "free_form": "free_form" in spec}
    names = {kind: sorted(run("-t", kind, "--list", "--json").keys()) for kind in ("lookup", "filter", "test")}

    core = os.path.dirname(ansible.__file__)
    with open(os.path.join(core, "config", "ansible_builtin_runtime.yml")) as f:
        runtime = yaml.safe_load(f)
        routes = {"ansible.builtin": routing(runtime)}
        jinja_routes = {"ansible.builtin": jinja_routing(runtime)}
    installed = {}
    roles = {}
    playbooks = {}
    manifest_glob = os.path.join(collections_path, "ansible_collections", "*", "*", "MANIFEST.json")
    for manifest in sorted(glob.glob(manifest_glob)):
        root = os.path.dirname(manifest)
        name = ".".join(root.split(os.sep)[-2:])
        with open(manifest) as f:
            installed[name] = json.load(f)["collection_info"]["version"]
        roles[name] = sorted(entry for entry in os.listdir(os.path.join(root, "roles"))
                             if os.path.isdir(os.path.join(root, "roles", entry))) \
            if os.path.isdir(os.path.join(root, "roles")) else []
        playbooks[name] = collection_playbooks(os.path.join(root, "playbooks"))
        runtime = os.path.join(root, "meta", "runtime.yml")
        if os.path.exists(runtime):
            with open(runtime) as f:
                loaded = yaml.safe_load(f)
                routes[name] = routing(loaded)
                jinja_routes[name] = jinja_routing(loaded)
    available = set()
    for wheel in glob.glob("/build/wheels/ansible-*.whl"):
        with zipfile.ZipFile(wheel) as archive:
            for member in archive.namelist():
                parts = member.split("/")
                if len(parts) > 3 and parts[0] == "ansible_collections":
                    available.add(f"{parts[1]}.{parts[2]}")
    roles_path = os.environ.get("ANSIBLE_ROLES_PATH", "")
    image_roles = sorted(entry for entry in os.listdir(roles_path)
                         if os.path.isdir(os.path.join(roles_path, entry))) if os.path.isdir(roles_path) else []
    index = {
        "image_roles": image_roles,
        "version": 1, "ansible_core": ansible.__version__, "collections": installed,
        "available": sorted(available - set(installed)), "modules": modules, "routing": routes,
        "plugin_routing": jinja_routes, "roles": roles, "playbooks": playbooks,
        "lookups": names["lookup"], "filters": names["filter"], "tests": names["test"],
    }
    with open(out, "w") as f:
        json.dump(index, f, sort_keys=True, separators=(",", ":"))
    print(f"index: {len(modules)} modules, {sum(len(v) for v in names.values())} lookups/filters/tests, "
          f"{len(installed)} collections, {os.path.getsize(out)} bytes")


if __name__ == "__main__":
    main()
