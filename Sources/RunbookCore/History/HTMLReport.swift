#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `runbook report RUN --html FILE`: one self-contained page (inline CSS and script, no fetches) with
/// the run's facts, a per-host timeline of its tasks (a Gantt view drawn as SVG from compact JSON, so a
/// 1,000-task × 20-host run stays small), the recap, failures with their messages, and diffs. Every
/// text is HTML-escaped; the history already holds it masked.
public struct HTMLReport: Sendable {
    /// The status colours, shared by the timeline, the legend and the recap.
    public static let colours: [(status: String, hex: String)] = [
        ("ok", "#2e9d5b"), ("changed", "#d9a400"), ("failed", "#d64545"), ("unreachable", "#8e44ad"),
        ("ignored", "#e67e22"), ("skipped", "#9aa5b1"),
    ]

    /// Diffs longer than this are cut in the page (the history keeps them whole).
    static let diffLimit = 4000
    /// At most this many diffs are shown; the rest are counted.
    static let diffCount = 200

    /// The run.
    public var document: RunDocument

    /// Makes a report.
    public init(_ document: RunDocument) {
        self.document = document
    }

    /// The page.
    public func rendered() -> String {
        let run = document.run
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>runbook run \(escape(run.id)): \(escape(run.playbook)) (\(escape(run.status)))</title>
            <style>\(Self.style)</style></head>
            <body><header><h1>\(escape(run.playbook)) <span class="status s-\(escape(run.status))">\(escape(run.status))</span></h1>
            <p>run \(escape(run.id)) · \(escape(run.kind)) · started \(escape(HistoryText.timestamp(run.started))) UTC\(run.duration.map { " · took " + HistoryText.seconds($0) } ?? "")\(run.exitStatus.map { " · exit status \($0)" } ?? "")</p></header>

            """
        html += "<section><h2>Facts</h2><table class=\"facts\">"
        for (name, value) in HistoryText.facts(run) {
            let shown = name == "ci" && run.ciJobURL != nil ? linked(value, run.ciJobURL ?? "") : escape(value)
            html += "<tr><th>\(escape(name))</th><td>\(shown)</td></tr>"
        }
        html += "</table></section>\n"
        html += timeline()
        html += recap()
        html += failures()
        html += diffs()
        html += "<footer>written by runbook \(escape(RunbookVersion.current))</footer>\n"
        html += "<script>\(Self.script)</script>\n</body></html>\n"
        return html
    }

    private func timeline() -> String {
        let results = document.results
        let hosts = HistoryText.orderedHosts(results)
        var hostIndex: [String: Int] = [:]
        for (index, host) in hosts.enumerated() { hostIndex[host] = index }
        var tasks: [[String]] = []
        var taskIndex: [String: Int] = [:]
        let origin = results.map(\.started).min() ?? 0
        var bars: [[Int]] = []
        let statusIndex = Dictionary(uniqueKeysWithValues: Self.colours.enumerated().map { ($1.status, $0) })
        for result in results {
            let key = result.task + "\u{1F}" + result.path
            let task: Int
            if let known = taskIndex[key] {
                task = known
            } else {
                task = tasks.count
                taskIndex[key] = task
                tasks.append([HistoryText.name(result), result.path])
            }
            bars.append([
                hostIndex[result.host] ?? 0, task, Int(((result.started - origin) * 1000).rounded()),
                max(Int((result.duration * 1000).rounded()), 0), statusIndex[result.status] ?? 0,
            ])
        }
        struct Data: Encodable {
            var hosts: [String]
            var tasks: [[String]]
            var bars: [[Int]]
            var colours: [String]
            var statuses: [String]
        }
        let data = Data(
            hosts: hosts, tasks: tasks, bars: bars, colours: Self.colours.map(\.hex),
            statuses: Self.colours.map(\.status))
        // The default encoder writes "/" as "\/", so no "</script>" can end the block early.
        let json = (try? JSONEncoder().encode(data)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        var html = "<section><h2>Timeline</h2><div class=\"legend\">"
        for (status, hex) in Self.colours {
            html += "<span><i style=\"background:\(hex)\"></i>\(status)</span>"
        }
        html += "</div><div id=\"timeline\"><p class=\"empty\">no host results were recorded</p></div>"
        html += "<script type=\"application/json\" id=\"timeline-data\">\(json)</script></section>\n"
        return html
    }

    private func recap() -> String {
        let recap = document.recap
        guard !recap.isEmpty else { return "" }
        var html =
            "<section><h2>Recap</h2><table class=\"recap\"><tr><th>host</th><th>ok</th><th>changed</th>"
            + "<th>failed</th><th>unreachable</th><th>skipped</th><th>ignored</th></tr>"
        for host in recap.keys.sorted() {
            guard let c = recap[host] else { continue }
            let cells = [c.ok, c.changed, c.failed, c.unreachable, c.skipped, c.ignored]
            let marks = ["", "changed", "failed", "unreachable", "", "ignored"]
            html += "<tr><td>\(escape(host))</td>"
            for (count, mark) in zip(cells, marks) {
                html += count > 0 && !mark.isEmpty ? "<td class=\"c-\(mark)\">\(count)</td>" : "<td>\(count)</td>"
            }
            html += "</tr>"
        }
        return html + "</table></section>\n"
    }

    private func failures() -> String {
        let failures = document.results.filter { $0.status == "failed" || $0.status == "unreachable" }
        guard !failures.isEmpty else { return "" }
        var html = "<section><h2>Failures (\(failures.count))</h2>"
        for result in failures {
            html +=
                "<div class=\"failure\"><h3>\(escape(result.host)): \(escape(HistoryText.name(result))) "
                + "<code>\(escape(result.path))</code> <span class=\"status s-\(result.status)\">\(result.status)</span></h3>"
            if !result.message.isEmpty { html += "<pre>\(escape(result.message))</pre>" }
            html += "</div>"
        }
        return html + "</section>\n"
    }

    private func diffs() -> String {
        let changed = document.results.filter { $0.changed && !($0.diff ?? "").isEmpty }
        guard !changed.isEmpty else { return "" }
        var html = "<section><h2>Diffs (\(changed.count))</h2>"
        for result in changed.prefix(Self.diffCount) {
            let diff = result.diff ?? ""
            let shown =
                diff.count > Self.diffLimit
                ? String(diff.prefix(Self.diffLimit)) + "\n… (cut; `runbook show` has it whole)" : diff
            html +=
                "<details><summary>\(escape(result.host)): \(escape(HistoryText.name(result))) "
                + "<code>\(escape(result.path))</code></summary><pre class=\"diff\">"
            for line in shown.split(separator: "\n", omittingEmptySubsequences: false) {
                let kind =
                    line.hasPrefix("+") && !line.hasPrefix("+++")
                    ? "add" : line.hasPrefix("-") && !line.hasPrefix("---") ? "del" : ""
                html +=
                    kind.isEmpty
                    ? escape(String(line)) + "\n" : "<span class=\"\(kind)\">\(escape(String(line)))</span>\n"
            }
            html += "</pre></details>"
        }
        if changed.count > Self.diffCount {
            html +=
                "<p>\(changed.count - Self.diffCount) more diffs: <code>runbook show \(escape(document.run.id))</code></p>"
        }
        return html + "</section>\n"
    }

    private func linked(_ text: String, _ url: String) -> String {
        guard url.hasPrefix("https://") || url.hasPrefix("http://") else { return escape(text) }
        return "<a href=\"\(escape(url))\">\(escape(text))</a>"
    }

    private func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    private static let style = """
        body{font:14px/1.4 system-ui,sans-serif;margin:0 auto;max-width:1400px;padding:0 16px;color:#1d232a}
        h1{font-size:22px;margin:16px 0 4px}h2{font-size:17px;margin:24px 0 8px}h3{font-size:14px;margin:8px 0 4px}
        header p{color:#59636e;margin:0}table{border-collapse:collapse}th,td{padding:3px 10px;text-align:left;
        border-bottom:1px solid #e4e8ec}table.recap td{text-align:right}table.recap td:first-child{text-align:left}
        .status{font-size:13px;padding:2px 8px;border-radius:10px;background:#e4e8ec;vertical-align:middle}
        .s-ok{background:#d7f0df}.s-failed,.s-error,.s-unreachable,.s-not-idempotent{background:#f8d7d7}
        .s-interrupted,.s-timeout,.s-running{background:#f6e7c1}.c-changed{color:#9a7500;font-weight:600}
        .c-failed,.c-unreachable{color:#c0392b;font-weight:700}.c-ignored{color:#c0641b}
        .legend span{margin-right:14px;font-size:13px}.legend i{display:inline-block;width:12px;height:12px;
        margin-right:4px;vertical-align:-1px;border-radius:2px}#timeline{overflow-x:auto;margin-top:8px}
        #timeline svg text{font-size:12px;fill:#1d232a}pre{background:#f6f8fa;padding:8px;overflow:auto;
        max-height:400px;white-space:pre-wrap}.diff .add{color:#1a7f37}.diff .del{color:#cf222e}
        .failure{border-left:4px solid #d64545;padding-left:10px;margin-bottom:12px}summary{cursor:pointer}
        footer{color:#8c959f;margin:32px 0 16px;font-size:12px}code{font-size:12px}
        """

    // Draws one row per host and one bar per result at its start and duration; the tooltip of a bar
    // names the task, file:line, status and seconds. Sets data-timeline on <body> to the bars drawn.
    private static let script = """
        (function(){
        var data=JSON.parse(document.getElementById('timeline-data').textContent);
        var box=document.getElementById('timeline');
        if(!data.bars.length){document.body.setAttribute('data-timeline','0');return;}
        var label=Math.min(260,8+7*data.hosts.reduce(function(m,h){return Math.max(m,h.length);},0));
        var width=Math.max(600,Math.min(1300,box.clientWidth||1200))-label-10,row=22;
        var end=0;data.bars.forEach(function(b){end=Math.max(end,b[2]+b[3]);});end=Math.max(end,1);
        function esc(s){return String(s).replace(/&/g,'&amp;').replace(/</g,'&lt;').replace(/>/g,'&gt;');}
        var parts=[],h=data.hosts.length*row+24;
        parts.push('<svg width="'+(label+width+10)+'" height="'+h+'">');
        data.hosts.forEach(function(host,i){
          if(i%2===0)parts.push('<rect x="0" y="'+(i*row)+'" width="'+(label+width+10)+'" height="'+row+'" fill="#f6f8fa"/>');
          parts.push('<text x="4" y="'+(i*row+15)+'">'+esc(host)+'</text>');});
        data.bars.forEach(function(b){
          var x=label+b[2]/end*width,w=Math.max(1.5,b[3]/end*width),t=data.tasks[b[1]];
          parts.push('<rect x="'+x.toFixed(1)+'" y="'+(b[0]*row+4)+'" width="'+w.toFixed(1)+'" height="'+(row-8)+
            '" fill="'+data.colours[b[4]]+'"><title>'+esc(t[0]+' ('+t[1]+') '+data.statuses[b[4]]+' '+(b[3]/1000).toFixed(2)+' s')+'</title></rect>');});
        for(var k=0;k<=4;k++){var s=end*k/4/1000;parts.push('<text x="'+(label+width*k/4-(k===4?40:0))+'" y="'+(h-6)+
          '" fill="#59636e">'+s.toFixed(1)+' s</text>');}
        parts.push('</svg>');box.innerHTML=parts.join('');
        document.body.setAttribute('data-timeline',String(data.bars.length));
        document.body.setAttribute('data-rendered-ms',String(Math.round(performance.now())));
        })();
        """
}
