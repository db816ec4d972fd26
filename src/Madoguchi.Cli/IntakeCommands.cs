using System.CommandLine;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Intake;

namespace Madoguchi.Cli;

/// <summary>`form draw`: the lottery of a form with intake.mode "lottery" (docs/forms-format.md, "Intake limits").</summary>
internal static class IntakeCommands
{
    public static Command Draw()
    {
        var slug = new Argument<string>("SLUG") { Description = "抽選するフォームの slug" };
        var winners = new Option<int?>("--winners") { Description = "当選数" };
        var seed = new Option<string?>("--seed") { Description = "抽選のシード（省略時は乱数。記録され、同じシードからは同じ当選者になります）" };
        var verify = new Option<bool>("--verify") { Description = "記録したシードで抽選をやり直し、当選者が同じか確かめます（何も変えません）" };
        var format = Cli.FormatOption("text", "json");
        var command = new Command("draw", "締切後に当選者を抽選し、申請者に結果をメールします。抽選は1回だけで、シードと結果を監査ログに記録します") { slug, winners, seed, verify, format };
        command.SetAction((result, ct) => Cli.RunAsync(result, ct, async sp =>
        {
            var lottery = sp.GetRequiredService<IntakeLottery>();
            var json = result.GetValue(format) == "json";
            try
            {
                if (result.GetValue(verify))
                {
                    var v = await lottery.VerifyAsync(result.GetValue(slug)!, ct);
                    if (json) Cli.WriteJson(new { seed = v.Draw.Seed, winners = v.Draw.WinnerReceipts(), recomputed = v.Recomputed, same = v.Same });
                    else foreach (var r in v.Recomputed) Cli.Stdout.WriteLine(r);
                    if (!v.Same) throw new CliException($"シード {v.Draw.Seed} でやり直した当選者が記録と違います。申請が抽選後に変わっていないか確かめてください。");
                    Cli.Info($"シード {v.Draw.Seed} でやり直した当選者 {v.Recomputed.Count} 件は記録と同じです。");
                    return Cli.Ok;
                }
                if (result.GetValue(winners) is not int n) throw new CliException("当選数を --winners N で指定してください。");
                var drawn = await lottery.DrawAsync(result.GetValue(slug)!, n, result.GetValue(seed), "cli", ct);
                if (json) Cli.WriteJson(new { seed = drawn.Draw.Seed, entrants = drawn.Draw.Entrants, winners = drawn.Winners, mailed = drawn.Mailed, mailFailed = drawn.MailFailed });
                else foreach (var r in drawn.Winners) Cli.Stdout.WriteLine(r);
                Cli.Info($"申請 {drawn.Draw.Entrants} 件から {drawn.Winners.Count} 件を当選としました（シード {drawn.Draw.Seed}）。結果のメール: 送信 {drawn.Mailed} 件、失敗 {drawn.MailFailed} 件。");
                return Cli.Ok;
            }
            catch (FormRefusedException e)
            {
                throw new CliException(e.Message);
            }
        }));
        return command;
    }
}
