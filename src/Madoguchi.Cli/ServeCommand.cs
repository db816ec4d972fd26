using System.CommandLine;
using Madoguchi.Web;
using Madoguchi.Web.Features.Platform;

namespace Madoguchi.Cli;

internal static class ServeCommand
{
    public static Command Create()
    {
        var urls = new Option<string>("--urls") { Description = "待ち受けるURL", DefaultValueFactory = _ => "http://127.0.0.1:5080" };
        var demo = new Option<bool>("--demo") { Description = "空のデータベースなら、先に江東区のデモデータを読み込みます" };
        var serve = new Command("serve", "Webアプリを起動します / start the web app") { urls, demo };
        serve.SetAction(async (result, ct) =>
        {
            var storage = Cli.ResolveStorage(result);
            var created = await DbCommands.EnsureCreatedAsync(storage, ct);
            if (created != Cli.Ok) return created;
            var app = MadoguchiApp.Create(["--urls", result.GetValue(urls)!, .. Cli.AppArgs(result)], storage);
            await using (app)
            {
                // Refuse to start without this database's keys, with the message rather than a stack trace.
                if (!await Cli.KeysReadyAsync(app, ct)) return Cli.Failed;
                if (result.GetValue(demo))
                {
                    await using var scope = app.Services.CreateAsyncScope();
                    var loaded = await DemoData.LoadIfEmptyAsync(scope.ServiceProvider, ct);
                    if (loaded is null) Cli.Info("データベースは空ではないため、デモデータは読み込みません。");
                    else DemoCommands.PrintSignIn(loaded, result.GetValue(urls)!);
                }
                Cli.Info($"Madoguchi: {result.GetValue(urls)} （データベース: {storage.Display}）。Ctrl+C で停止します。");
                await app.StartAsync(ct);
                await app.WaitForShutdownAsync(ct);
            }
            return Cli.Ok;
        });
        return serve;
    }
}
