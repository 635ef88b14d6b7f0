import Testing

@testable import RunbookCore

@Test func exitStatusesFollowSysexits() {
    #expect(ExitStatus.usage.rawValue == 64)
    #expect(ExitStatus.noPermission.rawValue == 77)
}
