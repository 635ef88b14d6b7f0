/// The user's own callback settings, which runbook repeats beside its own callback: ansible reads
/// `ANSIBLE_CALLBACKS_ENABLED` and `ANSIBLE_CALLBACK_PLUGINS` before ansible.cfg, so setting only
/// runbook's would silently switch off the callbacks a workspace's ansible.cfg enables.
struct UserCallbacks: Sendable, Hashable {
    /// Callback names to keep enabled.
    var enabled: [String] = []
    /// Callback plugin folders to keep searching.
    var paths: [String] = []

    /// The settings the ansible-playbook runbook starts would see. In the container only the
    /// workspace's ansible.cfg is visible (HOME is empty, the image has no /etc/ansible); in-image,
    /// ansible also honours `ANSIBLE_CONFIG` and the `ANSIBLE_CALLBACK*` variables themselves.
    init(workspace: String, environment: [String: String], inImage: Bool) {
        var file = workspace + "/ansible.cfg"
        if inImage, let path = environment["ANSIBLE_CONFIG"], !path.isEmpty { file = path }
        let config = AnsibleConfig(path: file)
        enabled = config.callbacksEnabled
        paths = config.callbackPlugins
        guard inImage else { return }
        if let names = environment["ANSIBLE_CALLBACKS_ENABLED"] ?? environment["ANSIBLE_CALLBACK_WHITELIST"] {
            enabled = AnsibleConfig.nameList(names)
        }
        if let folders = environment["ANSIBLE_CALLBACK_PLUGINS"] {
            paths = AnsibleConfig.pathList(
                folders, relativeTo: workspace, home: environment["HOME"] ?? AnsibleConfig.processHome)
        }
    }
}
