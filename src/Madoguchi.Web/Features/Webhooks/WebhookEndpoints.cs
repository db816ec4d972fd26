using System.Net;
using System.Net.Sockets;
using System.Text;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Features.Protection;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Webhooks;

/// <summary>Settings under Madoguchi:Webhooks (docs/webhooks.md, "Settings").</summary>
public sealed class WebhookOptions
{
    public const string Section = "Madoguchi:Webhooks";
    /// <summary>How often the dispatcher looks for due deliveries; 0 turns the dispatcher off on this instance.</summary>
    public int PollSeconds { get; set; } = 5;
    /// <summary>How long one request may take before it counts as failed.</summary>
    public int TimeoutSeconds { get; set; } = 10;
    /// <summary>
    /// Lets endpoints use plain http, only towards loopback and private addresses (an LGWAN-side system
    /// on the same network). Off by default: everything else must be https.
    /// </summary>
    public bool AllowHttpPrivate { get; set; }
}

/// <summary>A webhook change refused; the message says why and what to do.</summary>
public sealed class WebhookRefusedException(string message) : Exception(message);

/// <summary>Creating and deactivating endpoints, and manual redelivery (再送); each is audited.</summary>
public sealed class WebhookEndpoints(MadoguchiDbContext db, PersonalDataVault vault, AuditTrail audit, TimeProvider clock,
    Microsoft.Extensions.Options.IOptions<WebhookOptions> options, WebhookDispatcher dispatcher)
{
    public const string SecretOwner = "WebhookEndpoint";
    public const string SecretField = "SigningSecret";

    /// <summary>A new endpoint and its secret, which is shown once and never again.</summary>
    public sealed record Created(WebhookEndpoint Endpoint, string Secret);

    /// <summary>Why the URL cannot be used, or null when it can.</summary>
    public string? CheckUrl(string? url)
    {
        if (string.IsNullOrWhiteSpace(url)) return "送信先の URL を入力してください";
        if (url.Length > WebhookEndpoint.MaxUrlLength) return $"URL は {WebhookEndpoint.MaxUrlLength} 文字以内で入力してください";
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) || uri.Host.Length == 0)
            return "URL は https://example.lg.jp/webhooks のように https:// から始めて入力してください";
        if (uri.UserInfo.Length > 0) return "URL に利用者名やパスワードを含めないでください（受信側は署名で送信元を確かめます）";
        if (uri.Fragment.Length > 0) return "URL に # 以降（フラグメント）を含めないでください";
        if (uri.Scheme == Uri.UriSchemeHttp)
        {
            if (!options.Value.AllowHttpPrivate)
                return "http の URL は使えません。https の URL を入力してください（庁内ネットワークの http を許すのは管理者の設定 Madoguchi:Webhooks:AllowHttpPrivate です）";
            if (!IsPrivateHost(uri))
                return $"http が使えるのはループバックとプライベートアドレス（10.0.0.0/8、172.16.0.0/12、192.168.0.0/16 など）の IP アドレスだけです。{uri.Host} には https を使ってください";
        }
        return null;
    }

    /// <summary>localhost, or a loopback / RFC 1918 / unique-local IP literal (not link-local, not a name that could resolve anywhere).</summary>
    public static bool IsPrivateHost(Uri uri)
    {
        if (uri.IsLoopback) return true;
        if (!IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip)) return false;
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        if (IPAddress.IsLoopback(ip)) return true;
        if (ip.AddressFamily == AddressFamily.InterNetworkV6) return (ip.GetAddressBytes()[0] & 0xFE) == 0xFC;
        var b = ip.GetAddressBytes();
        return b[0] == 10 || (b[0] == 172 && b[1] >= 16 && b[1] <= 31) || (b[0] == 192 && b[1] == 168);
    }

    public async Task<Created> CreateAsync(Guid procedureId, Guid? departmentId, string url, IReadOnlyCollection<string> events, string? description, string actor, CancellationToken ct = default)
    {
        if (CheckUrl(url) is { } problem) throw new WebhookRefusedException(problem);
        var wanted = WebhookEvents.All.Where(events.Contains).ToList();
        if (wanted.Count == 0 || events.Any(e => !WebhookEvents.All.Contains(e))) throw new WebhookRefusedException("送るイベントを一覧から1つ以上選んでください");
        var secret = WebhookSignature.NewSecret();
        var endpoint = new WebhookEndpoint
        {
            ProcedureId = procedureId,
            Url = new Uri(url.Trim()).AbsoluteUri,
            Events = string.Join(",", wanted),
            Description = description?.Trim() ?? "",
            SecretHint = secret[..(WebhookSignature.SecretPrefix.Length + 4)],
            CreatedAt = clock.GetUtcNow(),
            CreatedBy = actor,
        };
        db.WebhookEndpoints.Add(endpoint);
        // The secret is sealed with the key ring and committed with the endpoint and its audit entry.
        db.ProtectedValues.Add(await vault.SealAsync(SecretOwner, endpoint.Id.ToString(), SecretField, secret, ct));
        await audit.AppendAsync(new AuditEvent(AuditActions.WebhookCreated, "webhook-endpoint", endpoint.Id.ToString())
        {
            DepartmentId = departmentId,
            Detail = $"procedure={procedureId} url={endpoint.Url} events={endpoint.Events}",
        }, ct);
        return new Created(endpoint, secret);
    }

    /// <summary>
    /// Stops an endpoint for good: its waiting deliveries are failed and its secret deleted (a receiver
    /// to be used again gets a new endpoint and a new secret). False when it was not active.
    /// </summary>
    public async Task<bool> DeactivateAsync(WebhookEndpoint endpoint, Guid? departmentId, string actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (!endpoint.Active) return false;
        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        endpoint.Active = false;
        endpoint.DeactivatedAt = now;
        endpoint.DeactivatedBy = actor;
        await db.WebhookDeliveries.Where(d => d.EndpointId == endpoint.Id && d.Status == WebhookDeliveryStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, WebhookDeliveryStatus.Failed).SetProperty(d => d.NextAttemptAt, (DateTimeOffset?)null).SetProperty(d => d.CompletedAt, now), ct);
        await db.ProtectedValues.Where(v => v.OwnerType == SecretOwner && v.OwnerId == endpoint.Id.ToString() && v.Field == SecretField).ExecuteDeleteAsync(ct);
        await audit.AppendAsync(new AuditEvent(AuditActions.WebhookDeactivated, "webhook-endpoint", endpoint.Id.ToString())
        {
            DepartmentId = departmentId,
            Detail = $"procedure={endpoint.ProcedureId} url={endpoint.Url}",
        }, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>
    /// 再送: the delivery is sent again as soon as a dispatcher runs, whatever its status. When that
    /// attempt fails, it is retried only within the delivery's original window.
    /// </summary>
    public async Task RedeliverAsync(WebhookDelivery delivery, Guid? departmentId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var endpoint = await db.WebhookEndpoints.AsNoTracking().FirstAsync(e => e.Id == delivery.EndpointId, ct);
        if (!endpoint.Active) throw new WebhookRefusedException("送信先が無効になっているので再送できません。送信先を新しく登録してください");
        var now = clock.GetUtcNow();
        delivery.Status = WebhookDeliveryStatus.Pending;
        delivery.NextAttemptAt = now;
        delivery.ManualRequested = true;
        delivery.CompletedAt = null;
        if (delivery.RetryUntil < now) delivery.RetryUntil = now;
        await audit.AppendAsync(new AuditEvent(AuditActions.WebhookRedelivered, "webhook-delivery", delivery.Id.ToString())
        {
            DepartmentId = departmentId,
            Detail = $"procedure={delivery.ProcedureId} event={delivery.EventId} type={delivery.EventType} url={endpoint.Url}",
        }, ct);
        dispatcher.Wake();
    }
}

/// <summary>Reads a signing secret for sending. It is not personal data: no audit entry per request.</summary>
public sealed class WebhookSecrets(KeyRingStore keys, KeyRingGuard guard)
{
    public async Task<string?> ReadAsync(MadoguchiDbContext db, Guid endpointId, CancellationToken ct)
    {
        await guard.EnsureAsync(ct);
        var owner = endpointId.ToString();
        var row = await db.ProtectedValues.AsNoTracking()
            .FirstOrDefaultAsync(v => v.OwnerType == WebhookEndpoints.SecretOwner && v.OwnerId == owner && v.Field == WebhookEndpoints.SecretField, ct);
        if (row is null) return null;
        var plaintext = FieldCipher.Decrypt(keys.Find, row.Ciphertext, FieldCipher.Purpose(WebhookEndpoints.SecretOwner, owner, WebhookEndpoints.SecretField));
        return Encoding.UTF8.GetString(plaintext);
    }
}
