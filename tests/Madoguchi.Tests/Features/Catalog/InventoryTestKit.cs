using System.Text;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Features.Catalog.Export;
using Madoguchi.Web.Features.Catalog.Import;
using Microsoft.Extensions.Configuration;

namespace Madoguchi.Tests.Features.Catalog;

/// <summary>Builds importers and exporters on a test database, and writes small inventory files.</summary>
internal static class InventoryTestKit
{
    public const string MunicipalHeader = "手続ID,手続名,所管部,所管課,根拠法令,手続類型,申請者区分,オンライン化可否,不可理由,オンライン化予定年度,利用ツール,オンライン化状況,オンライン化年月,年間申請件数,うちオンライン申請件数";

    /// <summary>2025-04-01 in Japan: the last completed fiscal year is 2024.</summary>
    public static FakeClock Clock() => new(new DateTimeOffset(2025, 4, 1, 9, 0, 0, TimeSpan.FromHours(9)));

    public static InventoryImporter Importer(TestDatabase db, long? maxBytes = null)
    {
        var settings = new Dictionary<string, string?>();
        if (maxBytes is not null) settings[InventoryImporter.MaxBytesSetting] = maxBytes.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var config = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new InventoryImporter(db.CreateContext(), Clock(), config);
    }

    public static InventoryExporter Exporter(TestDatabase db) => new(db.CreateContext(), Clock());

    public static async Task<ImportPlan> ImportAsync(TestDatabase db, string path, bool replace = false)
        => await Importer(db).ImportAsync(path, new ImportOptions { Replace = replace }, TestContext.Current.CancellationToken);

    public static async Task<ImportPlan> PlanAsync(TestDatabase db, string path)
        => await Importer(db).PlanAsync(path, new ImportOptions(), TestContext.Current.CancellationToken);

    /// <summary>A temp folder of the test's own, removed with the database.</summary>
    public static string TempFile(TestDatabase db, string name) => Path.Combine(db.Folder, name);

    public static string WriteMunicipal(TestDatabase db, string name, params string[] rows)
        => Write(db, name, new UTF8Encoding(true), [MunicipalHeader, .. rows]);

    public static string Write(TestDatabase db, string name, Encoding encoding, IEnumerable<string> lines)
    {
        var path = TempFile(db, name);
        File.WriteAllText(path, string.Join("\r\n", lines) + "\r\n", encoding);
        return path;
    }
}
