using Madoguchi.Web.Features.Catalog.Export;
using Madoguchi.Web.Features.Catalog.Import;

namespace Madoguchi.Web.Features.Catalog;

public static class CatalogModule
{
    public static WebApplicationBuilder AddCatalog(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<InventoryImporter>();
        builder.Services.AddScoped<InventoryExporter>();
        return builder;
    }

    public static WebApplication MapCatalog(this WebApplication app)
    {
        app.MapProceduresApi();
        return app;
    }
}
