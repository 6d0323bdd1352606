// The single entry point to @peculiar/x509: the shim must be evaluated first.
import './reflect-shim';

export * from '@peculiar/x509';
