using System.CommandLine;
using System.Globalization;
using Madoguchi.Web.Features.Queue.Waits;
using Madoguchi.Web.Shared;
using Madoguchi.Web.Shared.Japanese;

namespace Madoguchi.Cli;

/// <summary>`queue accuracy`: how right the wait estimates shown at issue were (issue 10).</summary>
internal static class QueueCommands
{
    public static Command Create()
    {
        var office = new Option<string>("--office") { Description = "庁舎の id（GET /api/v1/offices で確認）、または庁舎名", Required = true };
        var from = new Option<string>("--from") { Description = "期間の初日（2025-04-01、R7.4.1、令和7年4月1日 など）", Required = true };
        var to = new Option<string?>("--to") { Description = "期間の末日（既定: --from と同じ日）" };
        var format = Cli.FormatOption("text", "json");
        var accuracy = new Command("accuracy", "発券時に示した待ち時間の目安の精度: 平均絶対誤差（分）と、実際の待ち時間が目安の幅に入った割合（受付内容ごと・全体）")
        {
            office, from, to, format,
        };
        accuracy.SetAction((result, ct) => Cli.RunAsync(result, ct, async sp =>
        {
            var first = ParseDate("--from", result.GetValue(from)!);
            var last = result.GetValue(to) is { } t ? ParseDate("--to", t) : first;
            if (last < first) throw new CliException($"--to（{last:yyyy-MM-dd}）が --from（{first:yyyy-MM-dd}）より前です。期間の初日と末日を入れ替えてください。");
            var officeId = await KioskCommands.OfficeIdAsync(sp, result.GetValue(office)!, ct);
            var report = (await sp.GetRequiredService<WaitAccuracy>().ReportAsync(officeId, first, last, ct))!;
            if (result.GetValue(format) == "json")
            {
                Cli.WriteJson(Json(report));
                return Cli.Ok;
            }
            Cli.Stdout.WriteLine($"{report.OfficeName}\t{Wareki.Format(first)}〜{Wareki.Format(last)}（{first:yyyy-MM-dd}〜{last:yyyy-MM-dd}）\t丸め {Percent.Name(report.Rounding)}");
            Cli.Stdout.WriteLine("受付内容\t発券\t呼出し済み\t平均絶対誤差（分）\t幅に入った割合\t仮の目安（実績なし）");
            foreach (var line in report.Services.Append(report.Overall))
            {
                Cli.Stdout.WriteLine(string.Join('\t', line.Name, N(line.Issued), N(line.Called), Minutes(line.MaeMinutes(report.Rounding)),
                    Percent.WithCounts(line.Inside, line.Called, report.Rounding), N(line.Defaults)));
            }
            return Cli.Ok;
        }));
        return new Command("queue", "窓口の整理券 / queue tickets") { accuracy };
    }

    /// <summary>The JSON shape of the report (same fields as the staff page).</summary>
    public static object Json(AccuracyReport r) => new
    {
        office = r.OfficeId,
        officeName = r.OfficeName,
        from = r.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        to = r.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        rounding = Percent.Name(r.Rounding),
        services = r.Services.Select(l => Line(l, r)),
        overall = Line(r.Overall, r),
    };

    private static object Line(AccuracyLine l, AccuracyReport r) => new
    {
        service = l.ServiceId,
        name = l.Name,
        issued = l.Issued,
        called = l.Called,
        inside = l.Inside,
        defaults = l.Defaults,
        meanAbsoluteErrorMinutes = l.MaeMinutes(r.Rounding),
        insidePercent = l.InsidePercent(r.Rounding),
    };

    private static DateOnly ParseDate(string option, string text)
        => Wareki.ParseDate(text) ?? throw new CliException($"{option} の日付 '{text}' を読めません。2025-04-01、2025/4/1、R7.4.1、令和7年4月1日 のように入力してください。");

    private static string N(int n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static string Minutes(decimal? m) => m is { } v ? v.ToString("0.0", CultureInfo.InvariantCulture) : "—";
}
