console.log('not the entry')
