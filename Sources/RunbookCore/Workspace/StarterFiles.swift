// swift-format-ignore-file
// (The file embeds data, YAML or Python, whose lines must stay exactly as they are.)
/// The starter files `runbook init` writes; the repository's own Playbooks/ and Inventory/ are the same
/// files (a test keeps them equal).
public enum StarterFiles {
    /// Relative path and content of each starter file.
    public static let files: [(path: String, content: String)] = [
        (
            "Playbooks/configure-ec2.yml",
            #"""
---
# Find the running EC2 instances of a region, put them in an in-memory group, and configure them
# over SSH with a web stack. Credentials come from the environment runbook hands to the container
# (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, or a profile): none are in vars.
#
# Variables (set with -e or in runbook.yml's extra vars):
#   aws_region        region to search (default: AWS_REGION from the environment, else eu-west-2)
#   instance_filters  EC2 filters (default: running instances tagged Role=web)
#   ssh_user          login user on the instances (default: ubuntu)
#   ssh_host          reach every instance at this address instead of its own IP (a bastion
#                     tunnel, or the local demo's SSH test host); ssh_port likewise
- name: Find running EC2 instances
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    aws_region: "{{ lookup('ansible.builtin.env', 'AWS_REGION') | default('eu-west-2', true) }}"
    instance_filters:
      instance-state-name: running
      "tag:Role": web
  tasks:
    - name: Gather running instances
      amazon.aws.ec2_instance_info:
        region: "{{ aws_region }}"
        filters: "{{ instance_filters }}"
      register: ec2

    - name: Add each instance to the ec2_web group
      ansible.builtin.add_host:
        name: "{{ item.instance_id }}"
        groups: ec2_web
        ansible_host: "{{ ssh_host | default(item.public_ip_address | default(item.private_ip_address), true) }}"
        ansible_port: "{{ ssh_port | default(22) }}"
        ansible_user: "{{ ssh_user | default('ubuntu') }}"
        ansible_python_interpreter: auto_silent
      loop: "{{ ec2.instances }}"
      loop_control:
        label: "{{ item.instance_id }}"

    - name: Report what was found
      ansible.builtin.debug:
        msg: "{{ ec2.instances | length }} running instance(s) in {{ aws_region }}"

- name: Configure web servers
  hosts: ec2_web
  gather_facts: false
  become: true
  tasks:
    - name: Update the apt cache
      ansible.builtin.apt:
        update_cache: true
        cache_valid_time: 3600

    - name: Install the web stack
      ansible.builtin.apt:
        name:
          - nginx
          - mariadb-server
          - php-fpm
        state: present
      notify: Restart nginx

    - name: Keep nginx running and enabled
      ansible.builtin.service:
        name: nginx
        state: started
        enabled: true

  handlers:
    - name: Restart nginx
      ansible.builtin.service:
        name: nginx
        state: restarted

"""#
        ),
        (
            "Playbooks/site.yml",
            #"""
---
# A smoke test that needs no cloud and no SSH: proves the image, the mount and the results work.
- name: Smoke test
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Say where we run
      ansible.builtin.debug:
        msg: "ansible-core {{ ansible_version.full }} in {{ playbook_dir }}"

    - name: Check the AWS collection is installed
      ansible.builtin.command: ansible-galaxy collection list amazon.aws
      changed_when: false

"""#
        ),
        (
            "Inventory/hosts.yml",
            #"""
# Static hosts. `localhost` is implicit; add groups of your own here.
all:
  children:
    web:
      hosts: {}

"""#
        ),
        (
            "Inventory/aws_ec2.yml",
            #"""
# Dynamic inventory from EC2 (amazon.aws.aws_ec2). Credentials come from the environment.
plugin: amazon.aws.aws_ec2
regions:
  - eu-west-2
filters:
  instance-state-name: running
keyed_groups:
  - key: tags.Role
    prefix: role
hostnames:
  - ip-address
  - private-ip-address
compose:
  ansible_host: public_ip_address | default(private_ip_address)

"""#
        ),
    ]

    /// The starter runbook.yml: every setting, commented where the default is right.
    public static let settings = #"""
# runbook settings. Precedence: command-line flags > RUNBOOK_* environment > this file > defaults.
# `runbook config` shows the effective values and where each came from.

# Image to build and run (push it to a registry your CI can pull from: `runbook image push`).
image: runbook/ansible-aws:release
# Collections installed in the image.
collections:
  - amazon.aws
  - community.aws
  - community.general
# Base image of the build; set it when you use a registry mirror.
# base_image: docker.io/library/python:3.12-slim-bookworm
# engine: docker            # or podman; default: the first whose daemon answers
# network: host             # network mode for builds and runs
# ca_bundle: /etc/ssl/certs/ca-certificates.crt   # for TLS-intercepting proxies (build stage only)
# Environment variables passed through to the container by name (values never appear in argv).
env: []
# Default inventory (Inventory/ when unset and present).
# inventory: [Inventory]
# Fail when the credentials belong to another AWS account.
# expect_account: "123456789012"
"""#

    /// The starter .gitignore lines.
    public static let gitignore = """
        # runbook
        .runbook/
        *.retry
        test-results/
        results/

        """
}
