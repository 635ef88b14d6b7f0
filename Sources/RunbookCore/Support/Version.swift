/// runbook's own version.
public enum RunbookVersion {
    /// The semantic version of this build.
    public static let current = "0.1.0"
}
