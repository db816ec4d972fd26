namespace Madoguchi.Web.Features.Home;

public static class HomeModule
{
    public static WebApplication MapHome(this WebApplication app)
    {
        // Probes for a load balancer; no data, no sign-in.
        app.MapGet("/healthz", () => Results.Text("ok")).AllowAnonymous();
        return app;
    }
}
