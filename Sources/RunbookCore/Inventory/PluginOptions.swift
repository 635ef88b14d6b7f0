/// The shape Ansible's config system accepts for an inventory plugin option.
enum PluginOptionType: Sendable {
    /// A scalar (Ansible turns numbers and booleans into strings).
    case string
    /// A boolean; Ansible reads anything it does not know as false.
    case bool
    /// A whole number.
    case int
    /// A list, or a comma-separated string.
    case list
    /// A mapping.
    case dict
    /// Anything.
    case raw
}

/// The options an inventory plugin documents, with their types and aliases.
struct PluginOptions: Sendable {
    /// Option types by name, aliases included.
    var types: [String: PluginOptionType]
    /// Where the filename must end (`aws_ec2.yml`), when the plugin says.
    var fileSuffixes: [String]

    /// The options of `plugin` (short or fully qualified name), or nil when runbook does not know them.
    static func of(_ plugin: String) -> PluginOptions? {
        switch plugin {
        case "amazon.aws.aws_ec2", "aws_ec2":
            return PluginOptions(types: awsEC2, fileSuffixes: ["aws_ec2.yml", "aws_ec2.yaml"])
        case "ansible.builtin.constructed", "constructed":
            return PluginOptions(types: constructed.merging(["use_vars_plugins": .bool]) { $1 }, fileSuffixes: [])
        default:
            return nil
        }
    }

    /// The suboptions of each `keyed_groups` entry.
    static let keyedGroupKeys: Set<String> = [
        "key", "prefix", "separator", "parent_group", "default_value", "trailing_separator",
    ]
    /// The keys of a `hostnames` entry written as a mapping.
    static let hostnameKeys: Set<String> = ["name", "prefix", "separator"]

    /// Options every inventory plugin that uses constructed features and caching has.
    private static let constructed: [String: PluginOptionType] = [
        "plugin": .string, "strict": .bool, "compose": .dict, "groups": .dict, "keyed_groups": .list,
        "leading_separator": .bool, "use_extra_vars": .bool, "cache": .bool, "cache_plugin": .string,
        "cache_timeout": .int, "cache_connection": .string, "cache_prefix": .raw,
    ]

    /// amazon.aws.aws_ec2's documented options (its own, plus the constructed, inventory cache, AWS
    /// connection, region and assume-role fragments it extends).
    private static let awsEC2: [String: PluginOptionType] = constructed.merging([
        "regions": .list, "hostnames": .list, "allow_duplicated_hosts": .bool, "filters": .dict,
        "include_filters": .list, "exclude_filters": .list, "strict_permissions": .bool,
        "use_contrib_script_compatible_sanitization": .bool, "use_contrib_script_compatible_ec2_tag_keys": .bool,
        "hostvars_prefix": .string, "hostvars_suffix": .string, "use_ssm_inventory": .bool,
        "route53_enabled": .bool, "route53_hostnames": .list, "route53_excluded_zones": .list,
        "access_key": .string, "aws_access_key_id": .string, "aws_access_key": .string,
        "secret_key": .string, "aws_secret_access_key": .string, "aws_secret_key": .string,
        "session_token": .string, "aws_session_token": .string, "profile": .string, "aws_profile": .string,
        "endpoint_url": .string, "aws_endpoint_url": .string, "region": .string, "aws_region": .string,
        "assume_role_arn": .raw, "iam_role_arn": .raw,
    ]) { $1 }
}
