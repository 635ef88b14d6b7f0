"""Installs the named Ansible collections into DEST/ansible_collections.

usage: install-collections.py wheel|galaxy DEST NAME...

wheel:  takes each collection out of the `ansible` wheel downloaded to /build/wheels (for builds
        where Galaxy is unreachable but PyPI is not).
galaxy: runs `ansible-galaxy collection install`.
Then writes DEST/collections.json: {"namespace.name": "version", ...}.
"""
import glob
import json
import os
import subprocess
import sys
import zipfile


def from_wheel(dest, names):
    wheels = glob.glob("/build/wheels/ansible-*.whl")
    if not wheels:
        sys.exit("install-collections.py: no ansible wheel in /build/wheels")
    with zipfile.ZipFile(wheels[0]) as wheel:
        members = wheel.namelist()
        for name in names:
            namespace, collection = name.split(".", 1)
            prefix = f"ansible_collections/{namespace}/{collection}/"
            chosen = [m for m in members if m.startswith(prefix)]
            if not chosen:
                sys.exit(f"install-collections.py: collection {name} is not in {os.path.basename(wheels[0])}")
            for member in chosen:
                wheel.extract(member, dest)


def from_galaxy(dest, names):
    subprocess.run(
        [os.path.join(sys.prefix, "bin", "ansible-galaxy"), "collection", "install", "--no-deps",
         "-p", dest, *names],
        check=True)


def main():
    if len(sys.argv) < 4 or sys.argv[1] not in ("wheel", "galaxy"):
        sys.exit(__doc__)
    source, dest, names = sys.argv[1], sys.argv[2], sys.argv[3:]
    for name in names:
        if name.count(".") != 1 or not all(part.isidentifier() for part in name.split(".")):
            sys.exit(f"install-collections.py: {name!r} is not a collection name (namespace.name)")
    os.makedirs(dest, exist_ok=True)
    (from_wheel if source == "wheel" else from_galaxy)(dest, names)
    versions = {}
    for name in names:
        namespace, collection = name.split(".", 1)
        root = os.path.join(dest, "ansible_collections", namespace, collection)
        with open(os.path.join(root, "MANIFEST.json")) as manifest:
            versions[name] = json.load(manifest)["collection_info"]["version"]
    with open(os.path.join(dest, "collections.json"), "w") as out:
        json.dump(versions, out, sort_keys=True)
    print("collections:", " ".join(f"{n}={v}" for n, v in sorted(versions.items())))


if __name__ == "__main__":
    main()
