using System.CommandLine;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Queue;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Cli;

/// <summary>`kiosk register | list | revoke`: ticket machines of an office (Features/Queue).</summary>
internal static class KioskCommands
{
    public static Command Create()
    {
        var office = new Option<string>("--office") { Description = "庁舎の id（GET /api/v1/offices で確認）、または庁舎名", Required = true };
        var name = new Option<string>("--name") { Description = "発券機の名前（例: 1階 発券機A）", Required = true };
        var register = new Command("register", "発券機を登録します。発券機のトークンは標準出力の最後の行に1回だけ表示されます") { office, name };
        register.SetAction((result, ct) => Cli.RunAsync(result, ct, async sp =>
        {
            var officeId = await OfficeIdAsync(sp, result.GetValue(office)!, ct);
            KioskDevices.Registered registered;
            try
            {
                registered = await sp.GetRequiredService<KioskDevices>().RegisterAsync(officeId, result.GetValue(name)!, ct);
            }
            catch (QueueException e)
            {
                throw new CliException(e.Message);
            }
            Cli.Info($"発券機 {registered.Device.Id}（{registered.Device.Name}）を登録しました。次の行のトークンを発券機に設定してください（二度と表示されません）。");
            Cli.Info("ブラウザの発券機: /kiosk を開き、このトークンを一度入力します。API: Authorization: Bearer <トークン>");
            Cli.Stdout.WriteLine(registered.Token);
            return Cli.Ok;
        }));

        var list = new Command("list", "登録済みの発券機の一覧（トークンは表示しません）");
        list.SetAction((result, ct) => Cli.RunAsync(result, ct, async sp =>
        {
            var db = sp.GetRequiredService<MadoguchiDbContext>();
            var devices = await db.KioskDevices.AsNoTracking().OrderBy(d => d.CreatedAt).ToListAsync(ct);
            Cli.WriteJson(devices.Select(d => new { id = d.Id, office = d.OfficeId, name = d.Name, createdAt = d.CreatedAt, revokedAt = d.RevokedAt }));
            return Cli.Ok;
        }));

        var id = new Option<Guid>("--id") { Description = "失効させる発券機の id（kiosk list で確認）", Required = true };
        var revoke = new Command("revoke", "発券機を失効させます（そのトークンでは発券できなくなります）") { id };
        revoke.SetAction((result, ct) => Cli.RunAsync(result, ct, async sp =>
        {
            if (!await sp.GetRequiredService<KioskDevices>().RevokeAsync(result.GetValue(id), ct))
            {
                throw new CliException($"有効な発券機 {result.GetValue(id)} はありません。kiosk list で id を確認してください。");
            }
            Cli.Info("発券機を失効させました。");
            return Cli.Ok;
        }));
        return new Command("kiosk", "発券機 / ticket machines") { register, list, revoke };
    }

    internal static async Task<Guid> OfficeIdAsync(IServiceProvider sp, string text, CancellationToken ct)
    {
        var db = sp.GetRequiredService<MadoguchiDbContext>();
        var trimmed = text.Trim();
        if (Guid.TryParse(trimmed, out var id) && await db.Offices.AnyAsync(o => o.Id == id, ct)) return id;
        var byName = await db.Offices.AsNoTracking().Where(o => o.Name == trimmed).Select(o => (Guid?)o.Id).FirstOrDefaultAsync(ct);
        return byName ?? throw new CliException($"庁舎 '{text}' はありません。GET /api/v1/offices の id か、庁舎名（例: 江東区役所 本庁舎）を指定してください。");
    }
}
