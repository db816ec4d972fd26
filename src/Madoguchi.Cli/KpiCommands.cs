using System.CommandLine;
using Madoguchi.Web.Features.Insight;
using Madoguchi.Web.Shared;
using Madoguchi.Web.Shared.Localization;

namespace Madoguchi.Cli;

/// <summary>
/// `kpi online|departments|trend|usage`: the same parameters, checks and JSON body as
/// GET /api/v1/kpi/*, so a script gets byte-for-byte what the API serves.
/// </summary>
internal static class KpiCommands
{
    public static Command Create()
    {
        var kpi = new Command("kpi", "オンライン化の進捗 / online-ization KPIs");
        kpi.Subcommands.Add(Report("online", "オンライン化率と、計画年度別・ツール別の進捗"));
        kpi.Subcommands.Add(Report("departments", "部別・課別のオンライン化率"));
        kpi.Subcommands.Add(Report("trend", "月末ごとのオンライン化済み手続数（既定: 基準日までの24か月）"));
        kpi.Subcommands.Add(Report("usage", "年度別・手続別のオンライン利用率（オンライン申請件数 ÷ 申請件数）"));
        kpi.Subcommands.Add(FunnelCommands.KpiForms());
        return kpi;
    }

    private static Command Report(string report, string description)
    {
        var asOf = new Option<string?>("--as-of") { Description = "基準日 yyyy-MM-dd（yyyy-MM はその月の1日。既定: 今日、日本時間）" };
        var rounding = new Option<string?>("--rounding") { Description = "百分率の丸め: half-up（四捨五入）| truncate（切り捨て）（既定: 団体の設定）" };
        var format = Cli.FormatOption("json", "text");
        var command = new Command(report, description) { asOf, rounding, format };
        Option<string?>? months = null, fiscalYear = null, cursor = null, limit = null;
        if (report == "trend")
        {
            months = new Option<string?>("--months") { Description = $"月数 1〜{KpiParameters.MaxMonths}（既定: {KpiParameters.DefaultMonths}）" };
            command.Options.Add(months);
        }
        if (report == "usage")
        {
            fiscalYear = new Option<string?>("--fiscal-year") { Description = "手続別に表示する年度（西暦で年度が始まる年。既定: 基準日までで最新の年度）" };
            cursor = new Option<string?>("--cursor") { Description = "続きを表示するときの nextCursor" };
            limit = new Option<string?>("--limit") { Description = $"手続の件数 1〜{KpiParameters.MaxLimit}（既定: {KpiParameters.DefaultLimit}）" };
            command.Options.Add(fiscalYear);
            command.Options.Add(cursor);
            command.Options.Add(limit);
        }
        command.SetAction(async (result, ct) =>
        {
            var errors = new List<KpiError>();
            var p = KpiParameters.Parse(result.GetValue(asOf), result.GetValue(rounding), errors,
                months is null ? null : result.GetValue(months),
                fiscalYear is null ? null : result.GetValue(fiscalYear),
                cursor is null ? null : result.GetValue(cursor),
                limit is null ? null : result.GetValue(limit));
            if (p is null)
            {
                foreach (var e in errors) Cli.Error($"{OptionName(e.Field)}: {e.Message}");
                return Cli.Failed;
            }
            return await Cli.RunAsync(result, ct, async sp =>
            {
                var body = await sp.GetRequiredService<OnlineKpiService>().QueryAsync(report, p, ct);
                if (result.GetValue(format) == "json") Cli.Stdout.Write(KpiJson.Serialize(body));
                else WriteText(body);
                return Cli.Ok;
            });
        });
        return command;
    }

    private static string OptionName(string field) => field switch
    {
        "asOf" => "--as-of",
        "fiscalYear" => "--fiscal-year",
        _ => "--" + field,
    };

    /// <summary>Tables for a person at a terminal: tab-separated, counts beside every rate.</summary>
    private static void WriteText(object body)
    {
        switch (body)
        {
            case OnlineKpi k:
                Cli.Stdout.WriteLine($"基準日\t{k.AsOf}（{Madoguchi.Web.Shared.Japanese.Wareki.Format(DateOnly.Parse(k.AsOf, System.Globalization.CultureInfo.InvariantCulture))}）\t丸め {k.Rounding}");
                Cli.Stdout.WriteLine($"オンライン化率\t{Percent.Format(k.OnlineRatePercent)}（{k.Online:N0}/{k.Eligible:N0}）");
                Cli.Stdout.WriteLine($"全手続に対する率\t{Percent.Format(k.NationalOnlineRatePercent)}（{k.Online:N0}/{k.Total:N0}）");
                WriteTable(KpiTable.PlanYears(k));
                WriteTable(KpiTable.Tools(k, null));
                break;
            case DepartmentKpi d:
                WriteTable(KpiTable.Departments(d));
                WriteTable(KpiTable.Sections(d));
                break;
            case TrendKpi t:
                WriteTable(KpiTable.Trend(t));
                break;
            case UsageKpi u:
                WriteTable(KpiTable.Usage(u));
                Cli.Stdout.WriteLine();
                Cli.Stdout.WriteLine($"{u.FiscalYear}年度\t手続ID\t手続名\t所管\t申請件数\tうちオンライン\tオンライン利用率");
                foreach (var r in u.Procedures)
                {
                    Cli.Stdout.WriteLine($"\t{r.Code}\t{r.Name}\t{r.Department}\t{r.Total?.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) ?? "—"}\t{r.Online?.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) ?? "—"}\t{Percent.Format(r.UsageRatePercent)}");
                }
                if (u.NextCursor is not null) Cli.Info($"続き: --cursor {u.NextCursor}");
                break;
        }
    }

    private static void WriteTable(KpiTable table)
    {
        Cli.Stdout.WriteLine();
        Cli.Stdout.WriteLine($"# {Texts.All[table.TitleKey].Ja}");
        Cli.Stdout.WriteLine(string.Join('\t', table.Columns.Select(c => Texts.All[c.TextKey].Ja)));
        foreach (var row in table.Rows)
        {
            Cli.Stdout.WriteLine(string.Join('\t', row.Select((cell, i) => KpiTable.Display(cell, table.Columns[i].Kind))));
        }
    }
}
