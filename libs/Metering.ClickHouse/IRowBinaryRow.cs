namespace Metering.ClickHouse;

/// <summary>A row that writes itself in <c>RowBinary</c> (see <see cref="RowBinaryWriter"/>), for <see cref="RowBinaryRows"/>.</summary>
/// <typeparam name="TSelf">The row type.</typeparam>
public interface IRowBinaryRow<TSelf>
    where TSelf : IRowBinaryRow<TSelf>
{
    /// <summary>The columns <see cref="WriteTo"/> writes, in its order; the insert names them, so a table may have more.</summary>
    static abstract IReadOnlyList<string> Columns { get; }

    /// <summary>Writes the row's values of <see cref="Columns"/>, in that order.</summary>
    void WriteTo(RowBinaryWriter writer);
}
