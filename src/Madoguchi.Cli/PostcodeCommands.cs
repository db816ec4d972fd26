using System.CommandLine;
using System.Globalization;
using Madoguchi.Web.Features.Postcodes;

namespace Madoguchi.Cli;

internal static class PostcodeCommands
{
    public static Command Create() => new("postcode", "郵便番号データ / postcode data") { Import() };

    private static Command Import()
    {
        var file = new Argument<string>("FILE") { Description = "日本郵便の郵便番号データ: KEN_ALL.CSV（Shift_JIS）または utf_all.csv（UTF-8）。形式は自動で判別します" };
        var format = Cli.FormatOption("text", "json");
        var command = new Command("import", "郵便番号の表をファイルの内容で置き換えます（不正な行が1つでもあれば何も書き込みません）") { file, format };
        command.SetAction((result, ct) => Cli.RunAsync(result, ct, async sp =>
        {
            var path = result.GetValue(file)!;
            if (!File.Exists(path)) throw new CliException($"ファイル {path} が見つかりません。パスを確かめてください。");
            var import = await sp.GetRequiredService<PostcodeImporter>().ImportAsync(path, ct);
            var name = Path.GetFileName(path);
            if (result.GetValue(format) == "json")
            {
                Cli.WriteJson(new
                {
                    file = name,
                    format = import.Format,
                    lines = import.Lines,
                    postcodes = import.Postcodes,
                    addresses = import.Records.Count,
                    applied = import.Applied,
                    errors = import.Errors.Select(e => new { line = e.Line, message = e.Message }),
                });
            }
            foreach (var error in import.Errors) Cli.Error($"{name} {error}");
            if (!import.IsValid)
            {
                Cli.Info($"{name}: 不正な行が {N(import.Errors.Count)} 件あります。何も書き込んでいません。上の各行を直すか、日本郵便のファイルをそのまま指定してください。");
                return Cli.Failed;
            }
            Cli.Info($"{name}: {import.FormatName}、{N(import.Lines)} 行から郵便番号 {N(import.Postcodes)} 件、住所 {N(import.Records.Count)} 件を取り込みました（前の郵便番号データは置き換えました）。");
            return Cli.Ok;
        }));
        return command;
    }

    private static string N(int n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
