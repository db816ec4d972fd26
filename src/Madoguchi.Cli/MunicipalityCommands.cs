using System.CommandLine;
using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Shared;

namespace Madoguchi.Cli;

internal static class MunicipalityCommands
{
    public static Command Create()
    {
        var name = new Option<string?>("--name") { Description = "団体名（例: 江東区）" };
        var code = new Option<string?>("--code") { Description = "全国地方公共団体コード 6桁（例: 131083）" };
        var rounding = new Option<string?>("--rounding") { Description = "百分率の丸め: half-up（四捨五入）| truncate（切り捨て）" };
        var set = new Command("set", "団体名・団体コード・設定を登録します") { name, code, rounding };
        set.SetAction((result, ct) => Cli.RunAsync(result, ct, async sp =>
        {
            var text = result.GetValue(rounding);
            RoundingMode? mode = text is null ? null
                : Percent.ParseName(text) ?? throw new CliException($"--rounding は half-up か truncate です（'{text}' は使えません）。");
            try
            {
                var m = await sp.GetRequiredService<MunicipalityService>().SetAsync(result.GetValue(name), result.GetValue(code), mode, ct);
                Cli.WriteJson(new { name = m.Name, code = m.Code, rounding = Percent.Name(m.Rounding) });
                return Cli.Ok;
            }
            catch (ArgumentException e)
            {
                throw new CliException(e.Message);
            }
        }));
        var show = new Command("show", "登録内容を表示します");
        var format = Cli.FormatOption("json");
        show.Options.Add(format);
        show.SetAction((result, ct) => Cli.RunAsync(result, ct, async sp =>
        {
            var m = await sp.GetRequiredService<MunicipalityService>().GetAsync(ct);
            Cli.WriteJson(new { name = m.Name, code = m.Code, rounding = Percent.Name(m.Rounding) });
            return Cli.Ok;
        }));
        return new Command("municipality", "団体の設定 / the municipality") { set, show };
    }

}
