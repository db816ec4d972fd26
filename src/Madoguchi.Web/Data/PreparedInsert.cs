using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Madoguchi.Web.Data;

/// <summary>
/// Inserts new rows of one entity type with plain commands inside the transaction the context has
/// open, for hot write paths where the change tracker costs more than the write (the submission
/// writer). Table, columns, parameter types and value conversions come from the EF model, so the
/// rows read back through EF exactly as if SaveChanges had written them. On SQLite one command is
/// prepared and re-bound per row (a statement costs microseconds in process); on PostgreSQL as many
/// rows as the protocol's parameter limit allows go in one command, one round trip each.
/// </summary>
public sealed class PreparedInsert<T> where T : class
{
    private readonly IEntityType _type;
    private readonly IProperty[] _properties;
    private readonly IClrPropertyGetter[] _getters;
    private readonly RelationalTypeMapping[] _mappings;

    /// <param name="model">Any context of the app: only its model is read.</param>
    public PreparedInsert(MadoguchiDbContext model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _type = model.Model.FindEntityType(typeof(T)) ?? throw new ArgumentException($"{typeof(T).Name} is not in the model");
        _properties = [.. _type.GetProperties()];
        _getters = [.. _properties.Select(p => p.GetGetter())];
        _mappings = [.. _properties.Select(p => p.GetRelationalTypeMapping())];
    }

    /// <summary>Writes <paramref name="rows"/> in the context's current transaction; nothing is tracked.</summary>
    public async Task InsertAsync(MadoguchiDbContext db, IReadOnlyList<T> rows, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0) return;
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("The insert runs inside the caller's transaction.");
        var sql = db.GetService<ISqlGenerationHelper>();
        var sqlite = db.Database.IsSqlite();
        var perCommand = sqlite ? 1 : Math.Min(rows.Count, MaxPostgresParameters / _properties.Length);
        DbCommand? cmd = null;
        try
        {
            for (var first = 0; first < rows.Count; first += perCommand)
            {
                var count = Math.Min(perCommand, rows.Count - first);
                // A shorter last command on PostgreSQL when the rows did not fit in full ones.
                if (cmd is null || cmd.Parameters.Count != count * _properties.Length)
                {
                    if (cmd is not null) await cmd.DisposeAsync();
                    cmd = Command(db.Database.GetDbConnection(), transaction, sql, count);
                    // Prepared only on SQLite, where it is re-bound per row: a prepared PostgreSQL statement
                    // would stay on the pooled connection for every batch size seen.
                    if (sqlite && first + count < rows.Count) await cmd.PrepareAsync(ct);
                }
                Bind(cmd, rows, first, count);
                await cmd.ExecuteNonQueryAsync(ct);
            }
        }
        finally
        {
            if (cmd is not null) await cmd.DisposeAsync();
        }
    }

    /// <summary>PostgreSQL's protocol carries at most 65,535 parameters per statement; more rows go in further commands.</summary>
    public const int MaxPostgresParameters = 65_535;

    private DbCommand Command(DbConnection connection, DbTransaction transaction, ISqlGenerationHelper sql, int rows)
    {
        var cmd = connection.CreateCommand();
        cmd.Transaction = transaction;
        var text = new StringBuilder("INSERT INTO ").Append(sql.DelimitIdentifier(_type.GetTableName()!, _type.GetSchema())).Append(" (")
            .AppendJoin(", ", _properties.Select(p => sql.DelimitIdentifier(p.GetColumnName()))).Append(") VALUES ");
        for (var r = 0; r < rows; r++)
        {
            text.Append(r == 0 ? "(" : ", (");
            for (var c = 0; c < _properties.Length; c++)
            {
                var name = "p" + (r * _properties.Length + c).ToString(CultureInfo.InvariantCulture);
                text.Append(c == 0 ? "" : ", ").Append(sql.GenerateParameterNamePlaceholder(name));
                cmd.Parameters.Add(_mappings[c].CreateParameter(cmd, sql.GenerateParameterName(name), null, _properties[c].IsNullable));
            }
            text.Append(')');
        }
        cmd.CommandText = text.ToString();
        return cmd;
    }

    private void Bind(DbCommand cmd, IReadOnlyList<T> rows, int first, int count)
    {
        for (var r = 0; r < count; r++)
        {
            var entity = rows[first + r];
            for (var c = 0; c < _properties.Length; c++)
            {
                // Only values change, through the model's converters, as CreateParameter would convert them.
                var value = _getters[c].GetClrValue(entity);
                if (value is not null && _mappings[c].Converter is { } converter) value = converter.ConvertToProvider(value);
                cmd.Parameters[r * _properties.Length + c].Value = value ?? DBNull.Value;
            }
        }
    }
}
