using System.CommandLine;
using Madoguchi.Web.Features.Catalog.Export;
using Madoguchi.Web.Features.Catalog.Import;

namespace Madoguchi.Cli;

internal static class InventoryCommands
{
    public static Command Create() => new("inventory", "手続棚卸 / procedure inventory") { Import(), Export() };

    private static Option<int?> VolumesOption() => new("--volumes-fy")
    {
        Description = "件数の年度（西暦で年度の始まる年。既定: 日本時間で直近に終わった年度）",
    };

    private static Command Import()
    {
        var file = new Argument<string>("FILE") { Description = "棚卸表（CSV: UTF-8/Shift_JIS/UTF-16、または XLSX。市区町村の様式か全国調査の様式）" };
        var dryRun = new Option<bool>("--dry-run") { Description = "確認だけ行い、書き込みません" };
        var replace = new Option<bool>("--replace") { Description = "ファイルにない手続を削除します" };
        var volumes = VolumesOption();
        var format = Cli.FormatOption("text", "json");
        var command = new Command("import", "棚卸表を取り込みます（不正な行が1つでもあれば何も取り込みません）") { file, dryRun, replace, volumes, format };
        command.SetAction((result, ct) => Cli.RunAsync(result, ct, async sp =>
        {
            var fy = result.GetValue(volumes);
            if (fy is not null and not (>= 2000 and <= 2100)) throw new CliException($"--volumes-fy は 2000〜2100 の西暦年度です（'{fy}' は使えません）。");
            var importer = sp.GetRequiredService<InventoryImporter>();
            var options = new ImportOptions { VolumesFiscalYear = fy, Replace = result.GetValue(replace), Actor = "cli" };
            var path = result.GetValue(file)!;
            ImportPlan plan;
            try
            {
                plan = result.GetValue(dryRun)
                    ? await importer.PlanAsync(path, options, ct)
                    : await importer.ImportAsync(path, options, ct);
            }
            catch (ImportRefusedException e)
            {
                throw new CliException(e.Message);
            }
            if (result.GetValue(format) == "json") Cli.WriteJson(plan.ToSummary());
            foreach (var error in plan.Errors) Cli.Error(error.ToString());
            if (!plan.IsValid)
            {
                Cli.Info($"{plan.FileName}: 不正な値が {plan.Errors.Count} 件あります。何も取り込んでいません。上の各行を直してもう一度取り込んでください。");
                return Cli.Failed;
            }
            var layout = plan.Layout == Madoguchi.Web.Features.Catalog.InventoryLayout.National ? "全国調査の様式" : "市区町村の棚卸表";
            Cli.Info($"{plan.FileName}（{layout}、件数は{plan.VolumesFiscalYear}年度）: 追加 {plan.Added.Count} 件、変更 {plan.Changed.Count} 件、変更なし {plan.Unchanged.Count} 件、削除 {plan.Removed.Count} 件" +
                     (plan.NewDepartments.Count > 0 ? $"、新しい所管 {plan.NewDepartments.Count} 件" : "") +
                     (plan.Applied ? "。取り込みました。" : "。試行のため何も書き込んでいません。"));
            foreach (var c in plan.Changed.Take(20))
            {
                Cli.Info($"  変更 {c.Code}: " + string.Join("、", c.Changes.Select(f => $"{Label(f.Field)} {f.Old ?? "（空）"} → {f.New ?? "（空）"}")));
            }
            if (plan.Changed.Count > 20) Cli.Info($"  ほか {plan.Changed.Count - 20} 件の変更（--format json で全件）");
            foreach (var r in plan.Removed.Take(20)) Cli.Info($"  削除 {r.Code} {r.Name}");
            return Cli.Ok;
        }));
        return command;
    }

    private static string Label(string field)
        => Madoguchi.Web.Features.Catalog.ProcedureHistory.Labels.TryGetValue(field, out var label) ? label : field;

    private static Command Export()
    {
        var layout = new Option<string>("--layout")
        {
            Description = "様式: municipal（市区町村の棚卸表）| national（全国調査の46列）",
            DefaultValueFactory = _ => "municipal",
            CustomParser = r => OneOf(r, "--layout", "municipal", "national"),
        };
        var format = new Option<string>("--format")
        {
            Description = "形式: csv（UTF-8 BOM 付き）| csv-sjis（Shift_JIS）| xlsx",
            DefaultValueFactory = _ => "csv",
            CustomParser = r => OneOf(r, "--format", "csv", "csv-sjis", "xlsx"),
        };
        var output = new Option<string>("--out") { Description = "出力するファイル", Required = true };
        var volumes = VolumesOption();
        var command = new Command("export", "棚卸表を出力します") { layout, format, output, volumes };
        command.SetAction((result, ct) => Cli.RunAsync(result, ct, async sp =>
        {
            var exporter = sp.GetRequiredService<InventoryExporter>();
            var exportLayout = result.GetValue(layout) == "national" ? ExportLayout.National : ExportLayout.Municipal;
            var exportFormat = result.GetValue(format) switch { "csv-sjis" => ExportFormat.CsvSjis, "xlsx" => ExportFormat.Xlsx, _ => ExportFormat.Csv };
            var path = result.GetValue(output)!;
            var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
            if (!Directory.Exists(directory)) throw new CliException($"出力先のフォルダ {directory} がありません。");
            var r = await exporter.ExportToFileAsync(path, exportLayout, exportFormat, result.GetValue(volumes), ct);
            if (!r.Written)
            {
                foreach (var u in r.Unencodable) Cli.Error(u.ToString());
                Cli.Info($"Shift_JIS (cp932) で表せない文字が {r.Unencodable.Count} 件あるため、{path} には何も書いていません。" +
                         "文字を変えずに出力するには --format csv（UTF-8）か --format xlsx を使ってください。");
                return Cli.Failed;
            }
            await sp.GetRequiredService<Madoguchi.Web.Features.Audit.AuditTrail>().AppendAsync(new(Madoguchi.Web.Features.Audit.AuditActions.InventoryExported, "inventory", null)
            {
                Detail = $"layout={exportLayout} format={exportFormat} volumesFiscalYear={result.GetValue(volumes)}",
            }, ct);
            Cli.Info($"{r.Rows} 件の手続を {path} に出力しました。");
            return Cli.Ok;
        }));
        return command;
    }

    private static string OneOf(System.CommandLine.Parsing.ArgumentResult r, string option, params string[] values)
    {
        var v = r.Tokens.Count > 0 ? r.Tokens[0].Value : values[0];
        if (!values.Contains(v)) r.AddError($"{option} は {string.Join(", ", values)} のいずれかです（'{v}' は使えません）。");
        return v;
    }
}
