namespace Madoguchi.Web.Features.Insight;

public static class InsightModule
{
    public static WebApplicationBuilder AddInsight(this WebApplicationBuilder builder)
    {
        return builder;
    }

    public static WebApplication MapInsight(this WebApplication app)
    {
        return app;
    }
}
