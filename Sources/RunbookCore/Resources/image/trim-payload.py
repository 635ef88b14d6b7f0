"""Leaves in /opt/runbook only what ansible loads at run time, in the form it loads fastest.

usage: trim-payload.py VENV COLLECTIONS

- Collections' tests, docs, changelogs and CI folders go, and so do their CHANGELOG files and
  FILES.json (the checksum list `ansible-galaxy collection verify` compares, which would no longer
  match): ansible never reads them at run time. MANIFEST.json, meta/ and the licences stay.
- botocore's and boto3's plain JSON data (paginators, waiters, endpoints, partitions, resources) is
  gzipped in place: botocore's own loader reads NAME.json.gz wherever NAME.json is missing (its
  service models already ship that way). Its examples-1.json files, read only to write API
  documentation, go.
- Shared objects of the wheels lose their debug symbols (strip --strip-unneeded, from the build
  stage's binutils); their dynamic symbols stay.
- The dist-info RECORD files go: they list every installed file for pip, which the image does not
  have, and no longer match once the data is gzipped.
- Bytecode only for code a run imports on the controller, where it saves about a third of a second
  per run and, for every AWS task, botocore's compilation in the module's own process: the venv's
  packages. Not for modules (ansible-core's and the collections'): AnsiballZ ships their source.
  Not for collections' other plugins: the few a playbook uses compile in milliseconds. Not for code
  a run never imports: ansible-galaxy's (ansible/galaxy, resolvelib), cffi and pycparser (only
  cryptography's build uses them), mitogen (opt-in; it compiles itself when chosen). Bytecode
  written while the build ran (pip, ansible-doc) is removed first, so what stays is exactly this.
"""
import compileall
import glob
import gzip
import os
import re
import shutil
import subprocess
import sys


def remove_bytecode(root):
    for folder, subfolders, _ in os.walk(root):
        if "__pycache__" in subfolders:
            shutil.rmtree(os.path.join(folder, "__pycache__"))
            subfolders.remove("__pycache__")


def gzip_json(root):
    for folder, _, files in os.walk(root):
        for name in files:
            if not name.endswith(".json"):
                continue
            path = os.path.join(folder, name)
            if name.startswith("examples-"):
                os.remove(path)
                continue
            with open(path, "rb") as source:
                data = source.read()
            with open(path + ".gz", "wb") as target:
                target.write(gzip.compress(data, compresslevel=9, mtime=0))
            os.remove(path)


def strip_shared_objects(root):
    strip = shutil.which("strip")
    if strip is None:
        print("trim-payload: no strip here; shared objects keep their symbols", file=sys.stderr)
        return
    objects = []
    for folder, _, files in os.walk(root):
        objects += [os.path.join(folder, name) for name in files if name.endswith(".so") or ".so." in name]
    if objects:
        subprocess.run([strip, "--strip-unneeded", *objects], check=True)


def main():
    venv, collections = sys.argv[1], sys.argv[2]
    site_packages = [
        os.path.join(venv, "lib", name, "site-packages")
        for name in os.listdir(os.path.join(venv, "lib"))
        if name.startswith("python")
    ]
    namespaces = os.path.join(collections, "ansible_collections")
    for namespace in sorted(os.listdir(namespaces)) if os.path.isdir(namespaces) else []:
        for name in sorted(os.listdir(os.path.join(namespaces, namespace))):
            collection = os.path.join(namespaces, namespace, name)
            for unused in ("tests", "docs", "changelogs", ".github", ".azure-pipelines"):
                shutil.rmtree(os.path.join(collection, unused), ignore_errors=True)
            for path in [os.path.join(collection, "FILES.json"), *glob.glob(os.path.join(collection, "CHANGELOG.*"))]:
                if os.path.isfile(path):
                    os.remove(path)

    for packages in site_packages:
        for package in ("botocore", "boto3"):
            data = os.path.join(packages, package, "data")
            if os.path.isdir(data):
                gzip_json(data)
        strip_shared_objects(packages)

    remove_bytecode(venv)
    remove_bytecode(collections)
    for packages in site_packages:
        for record in glob.glob(os.path.join(packages, "*.dist-info", "RECORD")):
            os.remove(record)
        unused = ["ansible/modules", "ansible/galaxy", "resolvelib", "cffi", "pycparser", "mitogen", "ansible_mitogen"]
        names = "|".join(re.escape(name) for name in unused)
        skip = re.compile("^" + re.escape(packages) + "/(" + names + ")(/|$)")
        if not compileall.compile_dir(packages, quiet=1, rx=skip, workers=0):
            sys.exit("trim-payload: bytecode compilation failed in " + packages)


if __name__ == "__main__":
    main()
