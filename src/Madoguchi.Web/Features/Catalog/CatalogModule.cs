namespace Madoguchi.Web.Features.Catalog;

public static class CatalogModule
{
    public static WebApplicationBuilder AddCatalog(this WebApplicationBuilder builder)
    {
        return builder;
    }

    public static WebApplication MapCatalog(this WebApplication app)
    {
        return app;
    }
}
