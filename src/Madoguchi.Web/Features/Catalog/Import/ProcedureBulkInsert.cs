using System.Data.Common;
using System.Globalization;
using System.Text;
using Madoguchi.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Madoguchi.Web.Features.Catalog.Import;

/// <summary>
/// Inserts new procedures (with their volumes, life events and history entry) through prepared
/// commands reused across rows, inside the transaction the context has open. SaveChanges spends
/// most of a 100,000-row import on change tracking and command building; this writes the same
/// columns with the same values. Tables, columns and value conversions come from the EF model,
/// so the rows read back through EF exactly as if SaveChanges had written them.
/// </summary>
internal sealed class ProcedureBulkInsert : IAsyncDisposable
{
    // One row per command on SQLite (in process, a statement costs microseconds); several on
    // PostgreSQL, where each command is a round trip. 100 rows stay far below its 65,535 parameters.
    private readonly int _rowsPerCommand;
    private readonly Table _procedures;
    private readonly Table _volumes;
    private readonly Table _events;
    private readonly Table _changes;

    private ProcedureBulkInsert(MadoguchiDbContext db)
    {
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("The bulk insert runs inside the import's transaction.");
        var connection = db.Database.GetDbConnection();
        var sql = db.GetService<ISqlGenerationHelper>();
        _rowsPerCommand = db.Database.IsSqlite() ? 1 : 100;
        Table Of<T>() => new(db.Model.FindEntityType(typeof(T))!, connection, transaction, sql, _rowsPerCommand);
        _procedures = Of<Procedure>();
        _volumes = Of<ProcedureVolume>();
        _events = Of<ProcedureLifeEvent>();
        _changes = Of<ProcedureChange>();
    }

    public static ProcedureBulkInsert Create(MadoguchiDbContext db) => new(db);

    /// <summary>Queues a new procedure, its children and its history entry; full commands are written as they fill.</summary>
    public async Task AddAsync(Procedure procedure, ProcedureChange? history, CancellationToken ct)
    {
        _procedures.Add(procedure);
        foreach (var v in procedure.Volumes) _volumes.Add(v);
        foreach (var e in procedure.LifeEvents) _events.Add(e);
        if (history is not null) _changes.Add(history);
        // Parents are written before children so foreign keys hold after every statement.
        if (_procedures.Pending >= _rowsPerCommand) await WriteAsync(ct);
    }

    /// <summary>Writes everything still queued.</summary>
    public async Task WriteAsync(CancellationToken ct)
    {
        await _procedures.WriteAsync(ct);
        await _volumes.WriteAsync(ct);
        await _events.WriteAsync(ct);
        await _changes.WriteAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _procedures.DisposeAsync();
        await _volumes.DisposeAsync();
        await _events.DisposeAsync();
        await _changes.DisposeAsync();
    }

    /// <summary>One table: its INSERT for a full batch, prepared once, and the rows waiting for it.</summary>
    private sealed class Table(IEntityType type, DbConnection connection, DbTransaction transaction, ISqlGenerationHelper sql, int rowsPerCommand) : IAsyncDisposable
    {
        private readonly IProperty[] _properties = [.. type.GetProperties()];
        private readonly IClrPropertyGetter[] _getters = [.. type.GetProperties().Select(p => p.GetGetter())];
        private readonly RelationalTypeMapping[] _mappings = [.. type.GetProperties().Select(p => p.GetRelationalTypeMapping())];
        private readonly List<object> _pending = [];
        private DbCommand? _full;

        public int Pending => _pending.Count;

        public void Add(object entity) => _pending.Add(entity);

        public async Task WriteAsync(CancellationToken ct)
        {
            var done = 0;
            while (_pending.Count - done >= rowsPerCommand)
            {
                if (_full is null)
                {
                    _full = Command(rowsPerCommand);
                    Bind(_full, done, rowsPerCommand);
                    await _full.PrepareAsync(ct);
                }
                else
                {
                    Bind(_full, done, rowsPerCommand);
                }
                await _full.ExecuteNonQueryAsync(ct);
                done += rowsPerCommand;
            }
            if (done < _pending.Count)
            {
                // The rest of a batch, at the end or when children outnumber their parents.
                await using var rest = Command(_pending.Count - done);
                Bind(rest, done, _pending.Count - done);
                await rest.ExecuteNonQueryAsync(ct);
            }
            _pending.Clear();
        }

        private DbCommand Command(int rows)
        {
            var cmd = connection.CreateCommand();
            cmd.Transaction = transaction;
            var text = new StringBuilder("INSERT INTO ").Append(sql.DelimitIdentifier(type.GetTableName()!, type.GetSchema())).Append(" (")
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

        private void Bind(DbCommand cmd, int first, int rows)
        {
            for (var r = 0; r < rows; r++)
            {
                var entity = _pending[first + r];
                for (var c = 0; c < _properties.Length; c++)
                {
                    // The parameters keep the types their mapping gave them (a prepared statement on
                    // PostgreSQL holds on to them); only values change, through the model's converters
                    // (enums to integers, times to binary longs on SQLite) as in CreateParameter.
                    var value = _getters[c].GetClrValue(entity);
                    if (value is not null && _mappings[c].Converter is { } converter) value = converter.ConvertToProvider(value);
                    cmd.Parameters[r * _properties.Length + c].Value = value ?? DBNull.Value;
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_full is not null) await _full.DisposeAsync();
        }
    }
}
