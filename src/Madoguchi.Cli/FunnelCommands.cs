using System.CommandLine;
using Madoguchi.Web.Features.Funnel;
using Madoguchi.Web.Features.Insight;
using Madoguchi.Web.Shared.Localization;

namespace Madoguchi.Cli;

/// <summary>`kpi forms`: the forms' funnels with the same parameters, checks and JSON body as GET /api/v1/kpi/forms.</summary>
internal static class FunnelCommands
{
    public static Command KpiForms()
    {
        var asOf = new Option<string?>("--as-of") { Description = "基準日 yyyy-MM-dd（その日の終わり、日本時間までの記録。yyyy-MM はその月の1日。既定: 今日）" };
        var rounding = new Option<string?>("--rounding") { Description = "百分率の丸め: half-up（四捨五入）| truncate（切り捨て）（既定: 団体の設定）" };
        var staleDays = new Option<string?>("--stale-days") { Description = $"申請されずにこの日数そのままの下書きを離脱と数える 1〜{FunnelService.MaxStaleDays}（既定: {FunnelService.DefaultStaleDays}）" };
        var format = Cli.FormatOption("json", "text");
        var command = new Command("forms", "申請フォームごとの開始・申請・離脱・完了率・所要時間の中央値（版ごとも）") { asOf, rounding, staleDays, format };
        command.SetAction(async (result, ct) =>
        {
            var (p, days, errors) = FunnelModule.Parse(result.GetValue(asOf), result.GetValue(rounding), result.GetValue(staleDays));
            if (p is null)
            {
                foreach (var e in errors) Cli.Error($"{OptionName(e.Field)}: {e.Message}");
                return Cli.Failed;
            }
            return await Cli.RunAsync(result, ct, async sp =>
            {
                var body = await sp.GetRequiredService<FunnelService>().FormsAsync(p.AsOf, p.Rounding, days, ct);
                if (result.GetValue(format) == "json")
                {
                    Cli.Stdout.Write(KpiJson.Serialize(body));
                    return Cli.Ok;
                }
                var table = FunnelTables.Forms(body);
                Cli.Stdout.WriteLine($"基準日\t{body.AsOf}（その日の終わりまで）\t丸め {body.Rounding}\t離脱 {body.StaleDays}日");
                Cli.Stdout.WriteLine(string.Join('\t', table.Columns.Select(c => Texts.All[c.TextKey].Ja)));
                foreach (var row in table.Rows)
                {
                    Cli.Stdout.WriteLine(string.Join('\t', row.Select((cell, i) => KpiTable.Display(cell, table.Columns[i].Kind))));
                }
                return Cli.Ok;
            });
        });
        return command;
    }

    private static string OptionName(string field) => field switch
    {
        "asOf" => "--as-of",
        "staleDays" => "--stale-days",
        _ => "--" + field,
    };
}
