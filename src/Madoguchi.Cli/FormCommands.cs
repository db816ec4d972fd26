using System.CommandLine;
using System.Text;
using Madoguchi.Web.Features.Forms;

namespace Madoguchi.Cli;

internal static class FormCommands
{
    public static Command Create() => new("form", "申請フォーム / online application forms (docs/forms-format.md)") { Import(), Publish(), Export(), List(), IntakeCommands.Draw() };

    private static Command Import()
    {
        var file = new Argument<string>("FILE") { Description = "フォーム定義の JSON ファイル（UTF-8）" };
        var procedure = new Option<string>("--procedure") { Description = "フォームを置く手続の手続ID（棚卸の手続ID）", Required = true };
        var command = new Command("import", "フォーム定義を検査して作業中の定義として取り込みます（誤りが1つでもあれば何も取り込みません）。公開は form publish") { file, procedure };
        command.SetAction((result, ct) => Cli.RunAsync(result, ct, async sp =>
        {
            var path = result.GetValue(file)!;
            string json;
            try
            {
                json = await File.ReadAllTextAsync(path, new UTF8Encoding(false, throwOnInvalidBytes: true), ct);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or DecoderFallbackException)
            {
                throw new CliException(e is DecoderFallbackException
                    ? $"{path} は UTF-8 のテキストではありません。UTF-8 で保存し直してください。"
                    : $"{path} を読めません: {e.Message}");
            }
            var forms = sp.GetRequiredService<FormService>();
            FormService.ImportResult imported;
            try
            {
                imported = await forms.ImportAsync(json, result.GetValue(procedure)!, "cli", ct);
            }
            catch (FormRefusedException e)
            {
                foreach (var error in e.Errors) Cli.Error($"{Path.GetFileName(path)} {error}");
                throw new CliException(e.Message + (e.Errors.Count > 0 ? " 上の各箇所を直してもう一度取り込んでください。" : ""));
            }
            var f = imported.Form;
            if (imported.VersionsAdded > 0)
            {
                Cli.Info($"フォーム '{f.Slug}' の公開済みの版を {imported.VersionsAdded} 件取り込みました（まだ住民には見えません）。最新の版を公開するには `./madoguchi form publish {f.Slug}`。");
                return Cli.Ok;
            }
            Cli.Info(imported.Created ? $"フォーム '{f.Slug}'（{f.Title}）を取り込みました。公開するには `./madoguchi form publish {f.Slug}`。"
                : imported.Changed ? $"フォーム '{f.Slug}' の作業中の定義を更新しました。公開中の版（{f.CurrentVersion?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "なし"}）は変わりません。"
                : $"フォーム '{f.Slug}' の定義は取り込み済みのものと同じです。何も変えていません。");
            return Cli.Ok;
        }));
        return command;
    }

    private static Command Publish()
    {
        var slug = new Argument<string>("SLUG") { Description = "フォームの slug" };
        var command = new Command("publish", "作業中の定義を新しい版として公開し、棚卸の手続をオンライン化済み（Madoguchi、本日付）にします") { slug };
        command.SetAction((result, ct) => Cli.RunAsync(result, ct, async sp =>
        {
            FormService.PublishResult published;
            try
            {
                published = await sp.GetRequiredService<FormService>().PublishAsync(result.GetValue(slug)!, "cli", ct);
            }
            catch (FormRefusedException e)
            {
                foreach (var error in e.Errors) Cli.Error(error.ToString());
                throw new CliException(e.Message);
            }
            var v = published.Version;
            Cli.Info(published.Created || published.WentLive
                ? $"フォーム '{published.Form.Slug}' の版 {v.Number} を公開しました（SHA-256 {v.Sha256}）。"
                : $"フォーム '{published.Form.Slug}' の定義は公開中の版 {v.Number} と同じです。新しい版は作っていません。");
            foreach (var c in published.InventoryChanges)
            {
                var label = Madoguchi.Web.Features.Catalog.ProcedureHistory.Labels.TryGetValue(c.Field, out var l) ? l : c.Field;
                Cli.Info($"  棚卸 {published.Form.Procedure!.Code}: {label} {Madoguchi.Web.Features.Catalog.ProcedureHistory.Display(c.Field, c.Old) ?? "（空）"} → {Madoguchi.Web.Features.Catalog.ProcedureHistory.Display(c.Field, c.New) ?? "（空）"}");
            }
            return Cli.Ok;
        }));
        return command;
    }

    private static Command Export()
    {
        var slug = new Argument<string>("SLUG") { Description = "フォームの slug" };
        var version = new Option<int?>("--version") { Description = "公開済みの版の番号（省略時は作業中の定義）" };
        var all = new Option<bool>("--all-versions") { Description = "公開済みのすべての版と作業中の定義を1つのファイルに（他の団体とフォームを共有するとき）" };
        var command = new Command("export", "フォーム定義を JSON で標準出力に書き出します（form import でそのまま取り込めます）") { slug, version, all };
        command.SetAction((result, ct) => Cli.RunAsync(result, ct, async sp =>
        {
            try
            {
                if (result.GetValue(all))
                {
                    if (result.GetValue(version) is not null) throw new CliException("--version と --all-versions は同時に指定できません。どちらか一方にしてください。");
                    await Cli.Stdout.WriteAsync(await sp.GetRequiredService<FormService>().ExportAllVersionsAsync(result.GetValue(slug)!, ct));
                    return Cli.Ok;
                }
                var exported = await sp.GetRequiredService<FormService>().ExportAsync(result.GetValue(slug)!, result.GetValue(version), ct);
                await Cli.Stdout.WriteAsync(exported.Json);
                return Cli.Ok;
            }
            catch (FormRefusedException e)
            {
                throw new CliException(e.Message);
            }
        }));
        return command;
    }

    private static Command List()
    {
        var format = Cli.FormatOption("text", "json");
        var command = new Command("list", "フォームの一覧（slug、手続ID、題名、公開中の版）") { format };
        command.SetAction((result, ct) => Cli.RunAsync(result, ct, async sp =>
        {
            var items = await sp.GetRequiredService<FormService>().ListAsync(ct);
            if (result.GetValue(format) == "json")
            {
                Cli.WriteJson(items);
                return Cli.Ok;
            }
            foreach (var f in items)
            {
                var version = f.Version is int n ? $"版{n}" : "未公開";
                Cli.Stdout.WriteLine($"{f.Slug}\t{f.Procedure}\t{f.Title}\t{version}{(f.Version is not null && f.UnpublishedChanges ? "（未公開の変更あり）" : "")}");
            }
            if (items.Count == 0) Cli.Info("フォームはまだありません。`./madoguchi form import FILE --procedure 手続ID` で取り込めます。");
            return Cli.Ok;
        }));
        return command;
    }
}
