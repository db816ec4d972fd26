using Madoguchi.Web.Features.Staff;
using Microsoft.Extensions.Options;

namespace Madoguchi.Web.Features.Webhooks;

public static class WebhooksModule
{
    /// <summary>Managing a procedure's webhooks: admins, and managers of the procedure's department (checked per page).</summary>
    public const string ManagePolicy = "webhooks:manage";

    public static WebApplicationBuilder AddWebhooks(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<WebhookOptions>(builder.Configuration.GetSection(WebhookOptions.Section));
        builder.Services.AddScoped<WebhookOutbox>();
        builder.Services.AddScoped<WebhookEndpoints>();
        builder.Services.AddScoped<WebhookSecrets>();
        builder.Services.AddSingleton<WebhookDispatcher>();
        builder.Services.AddHostedService<WebhookDispatchService>();
        builder.Services.AddHttpClient(WebhookDispatcher.HttpClientName)
            .ConfigureHttpClient((sp, c) => c.Timeout = TimeSpan.FromSeconds(Math.Max(1, sp.GetRequiredService<IOptions<WebhookOptions>>().Value.TimeoutSeconds)))
            // A receiver's redirect is reported as a failure, never followed (it could point anywhere); no cookies kept between receivers.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, ConnectTimeout = TimeSpan.FromSeconds(5) });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(ManagePolicy, p => p.RequireRole(Roles.Admin, Roles.Manager));
        return builder;
    }
}
