using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Madoguchi.Web.Data;

/// <summary>
/// One <typeparamref name="T"/> per EF model, for compiled queries (<c>EF.CompileAsyncQuery</c>): EF binds a
/// compiled query to the first model it runs against and refuses any other. The app's pooled contexts share
/// one model, but contexts made outside the app (<see cref="DataModule.CreateContext"/>: the CLI, migrations,
/// tests) build their own, and one process may hold both.
/// </summary>
public static class PerModel<T> where T : class, new()
{
    private static readonly ConditionalWeakTable<IModel, T> Table = [];

    public static T Of(DbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        return Table.GetValue(db.Model, _ => new T());
    }
}
