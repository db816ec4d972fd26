using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Madoguchi.Web.Shared.Mail;

/// <summary>SMTP settings (Madoguchi:Smtp:*). Without a host, Madoguchi sends no e-mail.</summary>
public sealed class SmtpOptions
{
    public const string Section = "Madoguchi:Smtp";
    public string? Host { get; set; }
    public int Port { get; set; } = 587;
    public string From { get; set; } = "madoguchi@localhost";
    public string? User { get; set; }
    public string? Password { get; set; }
    /// <summary>"starttls" (default: STARTTLS when the server offers it), "tls" (implicit TLS) or "none" (a relay on localhost).</summary>
    public string Security { get; set; } = "starttls";
}

/// <summary>Sends plain-text e-mail through the configured SMTP server (audit checkpoints, form acknowledgements).</summary>
public sealed class MailSender(Microsoft.Extensions.Options.IOptions<SmtpOptions> options)
{
    public bool Configured => !string.IsNullOrWhiteSpace(options.Value.Host);

    /// <exception cref="InvalidOperationException">No SMTP host is configured.</exception>
    public async Task SendAsync(string to, string subject, string body, CancellationToken ct = default)
    {
        var o = options.Value;
        if (!Configured) throw new InvalidOperationException($"メールを送れません: {SmtpOptions.Section}:Host が設定されていません。");
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(o.From));
        foreach (var address in to.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            message.To.Add(MailboxAddress.Parse(address));
        }
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = body };
        using var client = new SmtpClient();
        var security = o.Security.ToLowerInvariant() switch
        {
            "none" => SecureSocketOptions.None,
            "tls" => SecureSocketOptions.SslOnConnect,
            _ => SecureSocketOptions.StartTlsWhenAvailable,
        };
        await client.ConnectAsync(o.Host!, o.Port, security, ct);
        if (!string.IsNullOrEmpty(o.User)) await client.AuthenticateAsync(o.User, o.Password ?? "", ct);
        await client.SendAsync(message, ct);
        await client.DisconnectAsync(true, ct);
    }
}

public static class MailModule
{
    public static WebApplicationBuilder AddMail(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<SmtpOptions>(builder.Configuration.GetSection(SmtpOptions.Section));
        builder.Services.AddSingleton<MailSender>();
        return builder;
    }
}
