"""Writes the image's plugin index, which `runbook validate` reads to check modules and arguments.

usage: build-index.py COLLECTIONS_PATH OUT.json

Sources, all from the image's own ansible-core and collections:
- modules and their argument specs: `ansible-doc --metadata-dump -t module` (documentation with the
  doc fragments merged: options with type, required, choices, aliases, elements, suboptions);
- each module's cross-argument rules (mutually_exclusive, required_together, required_one_of,
  required_if, required_by, top level and in suboptions), which live in module code, not in its
  documentation: each module's main() is run in a forked child with AnsibleModule.__init__ replaced by
  one that records its arguments and stops (so nothing past that call runs), with the defaults,
  fallbacks and aliases those rules depend on; a module that does not reach AnsibleModule is left out;
- whether an action plugin may take a module's arguments first (one of its name, one meta/runtime.yml
  routes it to, or its network family's), which may rewrite them;
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
import importlib
import inspect
import json
import os
import pkgutil
import signal
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


RULES = ("mutually_exclusive", "required_together", "required_one_of", "required_if", "required_by")


class Captured(BaseException):
    """Raised by the stand-in AnsibleModule.__init__, carrying the arguments it was called with."""


def names_list(value):
    """A list of option names, or None when `value` is not one."""
    if isinstance(value, (list, tuple)) and all(isinstance(name, str) for name in value):
        return list(value)
    return None


def literal(value):
    """A default or required_if value in the tagged form runbook compares: str, bool or int only."""
    if isinstance(value, bool):
        return {"bool": value}
    if isinstance(value, int):
        return {"int": value}
    if isinstance(value, str):
        return {"str": value}
    return {}


def rules(spec, arguments):
    """The cross-argument rules of one spec level (a module's, or a suboption's), with what they need:
    the defaults, fallbacks and aliases of the options they name; {} when the level has none."""
    spec = spec if isinstance(spec, dict) else {}
    out = {}
    groups = {key: [names_list(group) for group in (arguments.get(key) or []) if isinstance(group, (list, tuple))]
              for key in ("mutually_exclusive", "required_together", "required_one_of")}
    for key, value in groups.items():
        value = [group for group in value if group]
        if value:
            out[key] = value
    required_if = []
    for entry in arguments.get("required_if") or []:
        if not isinstance(entry, (list, tuple)) or len(entry) not in (3, 4):
            continue
        key, value, requires = entry[0], entry[1], names_list(entry[2])
        option = spec.get(key) if isinstance(key, str) else None
        tagged = literal(value)
        if not isinstance(key, str) or requires is None or not tagged:
            continue
        kind = option.get("type", "str") if isinstance(option, dict) else "str"
        required_if.append({"key": key, "value": tagged, "requires": requires,
                            "any": bool(entry[3]) if len(entry) == 4 else False,
                            "type": kind if isinstance(kind, str) else "other"})
    if required_if:
        out["required_if"] = required_if
    required_by = {}
    for key, value in (arguments.get("required_by") or {}).items():
        value = [value] if isinstance(value, str) else names_list(value)
        if isinstance(key, str) and value:
            required_by[key] = value
    if required_by:
        out["required_by"] = required_by
    named = set()
    for key in ("mutually_exclusive", "required_together", "required_one_of"):
        for group in out.get(key, []):
            named.update(group)
    for entry in out.get("required_if", []):
        named.update([entry["key"]] + entry["requires"])
    for key, value in out.get("required_by", {}).items():
        named.update([key] + value)
    defaults, fallbacks, aliases, nested = {}, [], {}, {}
    for name, option in spec.items():
        if not isinstance(option, dict):
            continue
        if name in named:
            if option.get("default") is not None:
                defaults[name] = literal(option["default"])
            if option.get("fallback"):
                fallbacks.append(name)
            for alias in option.get("aliases") or []:
                aliases[alias] = name
        if isinstance(option.get("options"), dict):
            sub = rules(option["options"], option)
            if sub:
                nested[name] = sub
    for key, value in (("defaults", defaults), ("fallbacks", sorted(fallbacks)), ("aliases", aliases),
                       ("options", nested)):
        if value:
            out[key] = value
    if not any(key in out for key in RULES + ("options",)):
        return {}
    return out


def capture(module_name):
    """The rules of one module, from the arguments its main() gives AnsibleModule."""
    try:
        importlib.import_module(module_name).main()
    except Captured as captured:
        arguments = captured.args[0]
        return rules(arguments.get("argument_spec"), arguments)
    except BaseException:
        return None
    return None


def preload(collections_path):
    """Imports every module_utils once, before forking, so each child imports only its module."""
    import ansible.module_utils
    names = [found.name for found in pkgutil.walk_packages(ansible.module_utils.__path__, "ansible.module_utils.")]
    pattern = os.path.join(collections_path, "ansible_collections", "*", "*", "plugins", "module_utils", "**", "*.py")
    for path in sorted(glob.glob(pattern, recursive=True)):
        parts = os.path.relpath(path, collections_path)[:-3].split(os.sep)
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    for name in names:
        try:
            importlib.import_module(name)
        except BaseException:
            pass


def argument_rules(collections_path, fqcns):
    """Each module's cross-argument rules, by FQCN (only modules that have any). Every module runs in a
    child of its own (a module may change shared specs, print, or exit), two at a time."""
    from ansible.module_utils import basic
    from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder
    _AnsibleCollectionFinder(paths=[collections_path])._install()
    signature = inspect.signature(basic.AnsibleModule.__init__)

    def record(self, *args, **kwargs):
        raise Captured(signature.bind(self, *args, **kwargs).arguments)

    basic.AnsibleModule.__init__ = record
    saved = os.dup(1)
    quiet = os.open(os.devnull, os.O_RDWR)
    os.dup2(quiet, 1)
    try:
        preload(collections_path)
    finally:
        os.dup2(saved, 1)
    modules = []
    for fqcn in fqcns:
        namespace, collection, name = fqcn.split(".", 2)
        if (namespace, collection) == ("ansible", "builtin"):
            modules.append((fqcn, "ansible.modules." + name))
        else:
            pattern = os.path.join(collections_path, "ansible_collections", namespace, collection, "plugins",
                                   "modules", "**", name + ".py")
            found = sorted(glob.glob(pattern, recursive=True))
            if found:
                parts = os.path.relpath(found[0], collections_path)[:-3].split(os.sep)
                modules.append((fqcn, ".".join(parts)))
    found = {}
    running = []

    def collect(entry):
        fqcn, pid, read = entry
        with os.fdopen(read, "rb") as pipe:
            data = pipe.read()
        os.waitpid(pid, 0)
        try:
            result = json.loads(data) if data else None
        except ValueError:
            result = None
        if result:
            found[fqcn] = result

    for fqcn, module_name in modules:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            os.dup2(quiet, 0)
            os.dup2(quiet, 1)
            os.dup2(quiet, 2)
            signal.alarm(30)
            try:
                data = json.dumps(capture(module_name)).encode()
            except BaseException:
                data = b""
            with os.fdopen(write, "wb") as pipe:
                pipe.write(data)
            os._exit(0)
        os.close(write)
        running.append((fqcn, pid, read))
        if len(running) >= 2:
            collect(running.pop(0))
    for entry in running:
        collect(entry)
    return found


def has_action_plugin(collections_path, fqcn, runtimes):
    """Whether an action plugin may take the module's arguments first, as ansible picks one: a plugin of
    the module's name, one that meta/runtime.yml (`runtimes`, by collection) routes the name to, or the
    network family's plugin (`ios` for `ios_config`) for the prefixes in NETWORK_GROUP_MODULES."""
    from ansible import constants
    namespace, collection, name = fqcn.split(".", 2)
    if (namespace, collection) == ("ansible", "builtin"):
        folder = os.path.join(os.path.dirname(ansible.__file__), "plugins", "action")
    else:
        folder = os.path.join(collections_path, "ansible_collections", namespace, collection, "plugins", "action")
    routed = ((runtimes.get(f"{namespace}.{collection}") or {}).get("plugin_routing") or {}).get("action") or {}
    family = name.split("_", 1)[0]
    return (os.path.exists(os.path.join(folder, name + ".py")) or name in routed
            or (family in (getattr(constants, "NETWORK_GROUP_MODULES", None) or [])
                and os.path.exists(os.path.join(folder, family + ".py"))))


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


def load_runtimes(collections_path):
    """meta/runtime.yml of ansible-core and of each installed collection, by collection, read once."""
    core = os.path.dirname(ansible.__file__)
    with open(os.path.join(core, "config", "ansible_builtin_runtime.yml")) as f:
        runtimes = {"ansible.builtin": yaml.safe_load(f) or {}}
    manifest_glob = os.path.join(collections_path, "ansible_collections", "*", "*", "MANIFEST.json")
    for manifest in sorted(glob.glob(manifest_glob)):
        root = os.path.dirname(manifest)
        runtime = os.path.join(root, "meta", "runtime.yml")
        if os.path.exists(runtime):
            with open(runtime) as f:
                runtimes[".".join(root.split(os.sep)[-2:])] = yaml.safe_load(f) or {}
    return runtimes


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    collections_path, out = sys.argv[1], sys.argv[2]
    runtimes = load_runtimes(collections_path)
    dump = run("--metadata-dump", "--no-fail-on-errors", "-t", "module")
    modules = {}
    for name, plugin in dump.get("all", {}).get("module", {}).items():
        doc = (plugin or {}).get("doc") or {}
        spec = options(doc.get("options"))
        modules[name] = {"options": spec, "free_form": "free_form" in spec}
        if has_action_plugin(collections_path, name, runtimes):
            modules[name]["action"] = True
    for name, found in argument_rules(collections_path, sorted(modules)).items():
        modules[name]["rules"] = found
    names = {kind: sorted(run("-t", kind, "--list", "--json").keys()) for kind in ("lookup", "filter", "test")}

    routes = {name: routing(runtime) for name, runtime in runtimes.items()}
    jinja_routes = {name: jinja_routing(runtime) for name, runtime in runtimes.items()}
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
    print(f"index: {len(modules)} modules ({sum('rules' in m for m in modules.values())} with cross-argument "
          f"rules), {sum(len(v) for v in names.values())} lookups/filters/tests, "
          f"{len(installed)} collections, {os.path.getsize(out)} bytes")


if __name__ == "__main__":
    main()
