using System.CommandLine;
using Madoguchi.Web.Features.Platform;

namespace Madoguchi.Cli;

internal static class DemoCommands
{
    public static Command Create()
    {
        var demo = new Command("demo", "デモデータ / demo data");
        var load = new Command("load", "空のデータベースに江東区のデモデータ（庁舎、組織、手続棚卸 3,058件、職員）を読み込みます");
        load.SetAction(async (result, ct) =>
        {
            var storage = Cli.ResolveStorage(result);
            var created = await DbCommands.EnsureCreatedAsync(storage, ct);
            if (created != Cli.Ok) return created;
            return await Cli.RunAsync(result, ct, async sp =>
            {
                var loaded = await DemoData.LoadIfEmptyAsync(sp, ct)
                    ?? throw new CliException($"データベース {storage.Display} は空ではありません。デモデータは空のデータベースにだけ読み込みます。");
                PrintSignIn(loaded, "http://127.0.0.1:5080");
                return Cli.Ok;
            });
        });
        demo.Subcommands.Add(load);
        return demo;
    }

    public static void PrintSignIn(DemoData.Result loaded, string url)
    {
        Cli.Info($"デモデータを読み込みました: 手続 {loaded.Procedures:N0} 件、庁舎 {loaded.Offices} か所、組織 {loaded.Departments} 課。");
        Cli.Info($"職員ページ: {url.TrimEnd('/')}/staff/signin （パスワードはこのデータベース専用に生成しました）");
        Cli.Info("初回サインインでは認証アプリ（TOTP: Google Authenticator、Microsoft Authenticator、oathtool など）の登録を求められます。");
        foreach (var u in loaded.Users)
        {
            Cli.Info($"  {u.Role,-8} {u.Email}  パスワード: {u.Password}");
        }
        Cli.Info($"公開中の申請フォーム: {string.Join("、", loaded.Forms)}（`./madoguchi form list`）");
    }
}
