namespace Madoguchi.Tests.Infrastructure;

/// <summary>
/// Tests whose behaviour depends on the storage engine carry [Trait("storage", "true")]; CI runs
/// the whole suite on SQLite and these also on PostgreSQL.
/// </summary>
public static class Traits
{
    public const string Storage = "storage";
}
