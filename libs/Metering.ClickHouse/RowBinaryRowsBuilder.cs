namespace Metering.ClickHouse;

/// <summary>
/// Rows of one table encoded as <c>RowBinary</c> as they are added, so that a row object lives no longer than the call
/// that makes it. A batch of a hundred thousand rows kept as objects until its insert outlives young-generation
/// collections, and the collector copies every one of them; encoded, the batch is a few pooled buffers.
/// </summary>
/// <typeparam name="T">The row type.</typeparam>
public sealed class RowBinaryRowsBuilder<T> : IDisposable
    where T : IRowBinaryRow<T>
{
    private readonly string _table;
    private RowBinaryWriter? _writer;

    /// <exception cref="ArgumentException">The table or a column is not a plain identifier.</exception>
    public RowBinaryRowsBuilder(string table)
    {
        _ = ClickHouseSql.Identifier(table);
        foreach (var column in T.Columns)
        {
            _ = ClickHouseSql.Identifier(column);
        }

        _table = table;
    }

    /// <summary>The number of rows added.</summary>
    public int Count { get; private set; }

    /// <summary>The size of the rows added, encoded, in bytes.</summary>
    public int Length => _writer?.Length ?? 0;

    /// <summary>Encodes <paramref name="row"/> after the rows added before; a row that fails to encode leaves nothing behind.</summary>
    /// <exception cref="ArgumentException">A string of the row has an unpaired surrogate (it has no UTF-8 form).</exception>
    public void Add(T row)
    {
        if (row is null)
        {
            throw new ArgumentNullException(nameof(row)); // not ThrowIfNull(object), which would box a struct row
        }

        var writer = _writer ??= new RowBinaryWriter();
        var length = writer.Length;
        try
        {
            row.WriteTo(writer);
        }
        catch
        {
            writer.Truncate(length);
            throw;
        }

        Count++;
    }

    /// <summary>Decodes the rows added with <paramref name="read"/>, which reads the columns of the row type in order.</summary>
    public IReadOnlyList<T> Read(RowBinaryRowReader<T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        var rows = new List<T>(Count);
        var reader = new RowBinaryReader(_writer is null ? default : _writer.WrittenMemory.Span);
        while (!reader.End)
        {
            rows.Add(read(ref reader));
        }

        return rows;
    }

    /// <summary>Hands the rows over for an insert, or null when there are none; the builder is empty afterwards.</summary>
    public RowBinaryRows? Build()
    {
        if (_writer is null || Count == 0)
        {
            return null;
        }

        var rows = new RowBinaryRows(_table, T.Columns, Count, _writer);
        _writer = null;
        Count = 0;
        return rows;
    }

    /// <summary>Returns the buffer of rows not handed over to the pool.</summary>
    public void Dispose()
    {
        _writer?.Dispose();
        _writer = null;
        Count = 0;
    }
}
