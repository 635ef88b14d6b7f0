import Foundation
import Testing

@testable import RunbookCore

/// Conformance with Ansible on the real inventories in the shared corpus (`$RUNBOOK_CORPUS`, else
/// `../shared/corpus` beside the repository).
///
/// Deliberate differences: Ansible with default settings only warns about a source it cannot parse and
/// goes on without its hosts; runbook reports an error, as `ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED=1`
/// does. Ranges that expand to more than `HostRange.maxHosts` hosts are an error (a memory bound).
@Suite(.enabled(if: InventoryCorpus.root != nil, "the shared corpus is not present"))
struct InventoryCorpusTests {
    @Test(arguments: InventoryCorpus.accepted)
    func inventoryAnsibleAcceptsHasNoError(_ relative: String) throws {
        let root = try #require(InventoryCorpus.root)
        let result = try InventoryReader().read(path: root + "/" + relative, displayPath: relative)
        let errors = result.diagnostics.filter { $0.severity == .error }
        #expect(errors.isEmpty, "\(errors)")
    }

    @Test(arguments: InventoryCorpus.rejected)
    func inventoryAnsibleRejectsHasAnError(_ relative: String) throws {
        let root = try #require(InventoryCorpus.root)
        let result = try InventoryReader().read(path: root + "/" + relative, displayPath: relative)
        #expect(result.diagnostics.contains { $0.severity == .error })
    }
}

enum InventoryCorpus {
    /// The corpus folder, when present.
    static let root: String? = {
        if let path = ProcessInfo.processInfo.environment["RUNBOOK_CORPUS"] { return path }
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let path = repository.deletingLastPathComponent().appendingPathComponent("shared/corpus").path
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }()

    /// Sources ansible-inventory 2.19 reads without failing (`ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED=1`).
    static let accepted = [
        "ansible-ansible-examples/jboss-standalone/hosts",
        "ansible-ansible-examples/lamp_haproxy/hosts",
        "ansible-ansible-examples/lamp_simple/hosts",
        "ansible-ansible-examples/lamp_simple_rhel7/hosts",
        "ansible-ansible-examples/mongodb/hosts",
        "ansible-ansible-examples/phillips_hue/hosts",
        "ansible-ansible-examples/tomcat-memcached-failover/hosts",
        "ansible-ansible-examples/tomcat-standalone/hosts",
        "ansible-lint-examples/inventory",
        "ansible-lint-examples/inventory/inventory.yml",
        "ansible-workshops/demos/networking/roles/network_banner/tests/inventory",
        "ansible-workshops/demos/networking/roles/network_harden/tests/inventory",
        "ansible-workshops/exercises/ansible_config_as_code/answer_files/workshop_project/inventory.yml",
        "ansible-workshops/roles/splunk_enterprise/tests/inventory",
        "geerlingguy-ansible-for-devops/deployments-balancer/inventory",
        "geerlingguy-ansible-for-devops/deployments-rolling/inventory",
        "geerlingguy-ansible-for-devops/elk/provisioning/elk/inventory",
        "geerlingguy-ansible-for-devops/elk/provisioning/web/inventory",
        "geerlingguy-ansible-for-devops/gluster/inventory",
        "geerlingguy-ansible-for-devops/kubernetes/inventory",
        "geerlingguy-ansible-for-devops/lamp-infrastructure/inventories/digitalocean/inventory",
        "geerlingguy-ansible-for-devops/lamp-infrastructure/inventories/vagrant/inventory",
        "geerlingguy-ansible-for-devops/orchestration/hosts.ini",
        "geerlingguy-ansible-for-devops/orchestration/scripts/hosts.ini",
        "geerlingguy-mac-dev-playbook/inventory",
        "geerlingguy-mac-dev-playbook/tests/inventory",
        "kubernetes-sigs-kubespray/contrib/terraform/openstack/hosts",
        "kubernetes-sigs-kubespray/extra_playbooks/inventory",
        "kubernetes-sigs-kubespray/inventory",
        "kubernetes-sigs-kubespray/inventory/local/hosts.ini",
        "kubernetes-sigs-kubespray/inventory/sample/inventory.ini",
        "kubernetes-sigs-kubespray/test-infra/image-builder/hosts.ini",
        "openstack-openstack-ansible/inventory",
        "openstack-openstack-ansible/inventory/inventory.ini",
        "openstack-openstack-ansible/tests/test-inventory.ini",
    ]

    /// Sources ansible-inventory 2.19 fails on: an old ec2.py script config read as INI, and a folder of
    /// task files read as YAML inventories.
    static let rejected = [
        "ansible-workshops/provisioner/inventory",
        "ansible-workshops/roles/manage_ec2_instances/tasks/inventory",
    ]
}
